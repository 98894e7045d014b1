using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Security;

/// <summary>
/// Signs service account tokens (ES256 JWTs with Kubernetes' claims) for the TokenRequest API. The signing key lives in
/// the data dir so tokens stay valid across restarts.
/// </summary>
public sealed class ServiceAccountTokenIssuer
{
    /// <summary>The issuer claim, as Kubernetes' default.</summary>
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    private readonly ECDsa _key;
    private readonly string _keyId;

    private ServiceAccountTokenIssuer(ECDsa key)
    {
        _key = key;
        _keyId = Base64Url(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Loads or creates <c>&lt;dataDir&gt;/tls/service-account.key</c>.</summary>
    public static ServiceAccountTokenIssuer LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, "tls", "service-account.key");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path)) key.ImportFromPem(File.ReadAllText(path));
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        }
        return new ServiceAccountTokenIssuer(key);
    }

    /// <summary>Issues a token for a service account, optionally bound to an object (a pod or secret).</summary>
    public string Issue(string ns, string name, string uid, IReadOnlyList<string> audiences, DateTimeOffset now, DateTimeOffset expires, JsonObject? boundObject)
    {
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = _keyId };
        var k8s = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = uid },
        };
        if (boundObject is not null && (string?)boundObject["kind"] is { } kind)
            k8s[kind.ToLowerInvariant()] = new JsonObject { ["name"] = (string?)boundObject["name"], ["uid"] = (string?)boundObject["uid"] };
        var claims = new JsonObject
        {
            ["aud"] = new JsonArray(audiences.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = k8s,
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["sub"] = $"system:serviceaccount:{ns}:{name}",
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>Verifies a token's signature and lifetime; returns its claims or null.</summary>
    public JsonObject? Verify(string token, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var signature = FromBase64Url(parts[2]);
            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                return null;
            var claims = JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
            var exp = claims?["exp"]?.GetValue<long>() ?? 0;
            return exp > now.ToUnixTimeSeconds() ? claims : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var b64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '='));
    }
}
