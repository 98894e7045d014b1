using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Security.Join;

/// <summary>
/// k3s's node passwords: the hash of the password a node name first joined with is kept in the kube-system secret
/// <c>&lt;node&gt;.node-password.gantry</c>; a later join under that name with another password is refused until an
/// admin deletes the secret (a reinstalled machine) — one join token cannot take over another machine's node.
/// </summary>
internal sealed class NodePasswords(ResourceService service, ResourceRegistry registry)
{
    private const string Namespace = "kube-system";
    private readonly ResourceDefinition _secrets = registry.Find("", "v1", "secrets")!;

    /// <summary>Records the password of a node's first join, or checks it against the recorded one (403 on mismatch).</summary>
    public async Task VerifyAsync(string nodeName, string password, CancellationToken cancellationToken)
    {
        if (password.Length < 16) throw ApiException.BadRequest("a node password of at least 16 characters is required");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password))).ToLowerInvariant();
        var name = nodeName + NodeCredentialsApi.NodePasswordSecretSuffix;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            string? stored;
            try
            {
                var secret = await service.GetAsync(_secrets, Namespace, name, cancellationToken);
                stored = (string?)secret["data"]?["hash"] is { } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                stored = null;
            }
            if (stored is not null)
            {
                if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(hash))) return;
                throw ApiException.Forbidden($"node password rejected for node \"{nodeName}\": a node of that name joined with another password "
                    + $"(delete secret {Namespace}/{name} if this machine replaces it)");
            }
            try
            {
                var secret = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Secret",
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
                    ["type"] = "Opaque",
                    ["immutable"] = true,
                    ["data"] = new JsonObject { ["hash"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(hash)) },
                };
                await service.CreateAsync(_secrets, Namespace, secret, new WriteOptions { FieldManager = "gantry" }, cancellationToken);
                return;
            }
            catch (ApiException ex) when (ex.Code == 409)
            {
                // Another join of the same name won the race: check against what it recorded.
            }
        }
    }
}
