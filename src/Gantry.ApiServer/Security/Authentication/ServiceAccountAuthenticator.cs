using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;

namespace Gantry.ApiServer.Security.Authentication;

/// <summary>
/// Authenticates service account JWTs issued by <see cref="ServiceAccountTokenIssuer"/>, as Kubernetes' service account
/// token authenticator: signature, issuer, lifetime and audience, then that the service account still exists with the
/// token's uid and, for bound tokens, that the bound pod or secret still exists with the same uid. Objects are read
/// from the watch caches, never from the store.
/// </summary>
internal sealed class ServiceAccountAuthenticator(ServiceAccountTokenIssuer issuer, CacheSet caches, ResourceRegistry registry)
{
    private readonly ResourceDefinition _serviceAccounts = registry.Find("", "v1", "serviceaccounts")!;
    private readonly ResourceDefinition _pods = registry.Find("", "v1", "pods")!;
    private readonly ResourceDefinition _secrets = registry.Find("", "v1", "secrets")!;

    /// <summary>The audiences the API server accepts (Kubernetes defaults them to the issuer).</summary>
    public static readonly IReadOnlyList<string> ApiAudiences = [ServiceAccountTokenIssuer.Issuer];

    /// <summary>The identity of a valid token with its expiry, or null when the token is not a valid service account token.</summary>
    public (UserInfo User, DateTimeOffset Expires)? Authenticate(string token, DateTimeOffset now)
    {
        var claims = issuer.Verify(token, now);
        if (claims is null || (string?)claims["iss"] != ServiceAccountTokenIssuer.Issuer) return null;
        if (claims["nbf"] is JsonValue nbf && nbf.TryGetValue<long>(out var notBefore) && notBefore > now.ToUnixTimeSeconds() + 60) return null;
        if (!HasApiAudience(claims["aud"])) return null;
        if (claims["kubernetes.io"] is not JsonObject k8s || (string?)k8s["namespace"] is not { Length: > 0 } ns) return null;
        if (k8s["serviceaccount"] is not JsonObject sa || (string?)sa["name"] is not { Length: > 0 } name) return null;
        if (!Exists(_serviceAccounts, ns, name, (string?)sa["uid"])) return null;
        var extra = new Dictionary<string, IReadOnlyList<string>>();
        if (k8s["pod"] is JsonObject pod)
        {
            if (!Exists(_pods, ns, (string?)pod["name"], (string?)pod["uid"])) return null;
            extra["authentication.kubernetes.io/pod-name"] = [(string?)pod["name"] ?? ""];
            extra["authentication.kubernetes.io/pod-uid"] = [(string?)pod["uid"] ?? ""];
        }
        if (k8s["secret"] is JsonObject secret && !Exists(_secrets, ns, (string?)secret["name"], (string?)secret["uid"])) return null;
        if ((string?)claims["jti"] is { Length: > 0 } jti) extra["authentication.kubernetes.io/credential-id"] = ["JTI=" + jti];
        var user = new UserInfo(UserInfo.ServiceAccountPrefix + ns + ":" + name,
            [UserInfo.ServiceAccounts, UserInfo.ServiceAccounts + ":" + ns, UserInfo.AllAuthenticated], (string?)sa["uid"], extra);
        return (user, DateTimeOffset.FromUnixTimeSeconds(claims["exp"]!.GetValue<long>()));
    }

    private static bool HasApiAudience(JsonNode? aud) => aud switch
    {
        JsonArray list => list.Any(a => a is JsonValue v && v.TryGetValue<string>(out var s) && ApiAudiences.Contains(s)),
        JsonValue single => single.TryGetValue<string>(out var s) && ApiAudiences.Contains(s),
        _ => false,
    };

    private bool Exists(ResourceDefinition def, string ns, string? name, string? uid)
    {
        if (string.IsNullOrEmpty(name)) return false;
        var cached = caches.For(def).Get(def.KeyFor(ns, name));
        if (cached is null) return false;
        return string.IsNullOrEmpty(uid) || (string?)cached.Parse()["metadata"]?["uid"] == uid;
    }
}
