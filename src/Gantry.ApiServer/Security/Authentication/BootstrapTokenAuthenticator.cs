using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Security.Join;

namespace Gantry.ApiServer.Security.Authentication;

/// <summary>Authenticates bootstrap tokens against their kube-system secrets in the watch cache (Kubernetes' bootstrap token authenticator).</summary>
internal sealed class BootstrapTokenAuthenticator(CacheSet caches, ResourceRegistry registry)
{
    private readonly ResourceDefinition _secrets = registry.Find("", "v1", "secrets")!;

    /// <summary>The identity of a valid, unexpired bootstrap token, or null.</summary>
    public UserInfo? Authenticate(string token, DateTimeOffset now)
    {
        if (!BootstrapToken.TryParse(token, out var id, out var presented)) return null;
        var cached = caches.For(_secrets).Get(_secrets.KeyFor(BootstrapToken.Namespace, BootstrapToken.SecretPrefix + id));
        if (cached is null) return null;
        var secret = cached.Parse();
        if ((string?)secret["type"] != BootstrapToken.SecretType || secret["metadata"]?["deletionTimestamp"] is not null) return null;
        if (secret["data"] is not JsonObject data) return null;
        var stored = Value(data, "token-secret");
        if (stored is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(presented))) return null;
        if (Value(data, "token-id") is { } storedId && storedId != id) return null;
        if (Value(data, "usage-bootstrap-authentication") != "true") return null;
        if (Value(data, "expiration") is { } expiration
            && (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires) || expires <= now)) return null;
        var groups = new List<string> { UserInfo.Bootstrappers };
        if (Value(data, "auth-extra-groups") is { } extra)
        {
            // Kubernetes accepts only extra groups under system:bootstrappers: (a token cannot grant itself system:masters).
            groups.AddRange(extra.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(g => g.StartsWith(UserInfo.Bootstrappers + ":", StringComparison.Ordinal)));
        }
        return new UserInfo("system:bootstrap:" + id, groups);
    }

    private static string? Value(JsonObject data, string key)
    {
        if ((string?)data[key] is not { } encoded) return null;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
