using System.Globalization;
using System.Security.Cryptography;
using Gantry.ApiServer.Security.Authentication;

namespace Gantry.ApiServer.Security.Join;

/// <summary>
/// Kubeadm's bootstrap tokens: <c>[a-z0-9]{6}.[a-z0-9]{16}</c>, stored as Secrets <c>bootstrap-token-&lt;id&gt;</c> of
/// type <c>bootstrap.kubernetes.io/token</c> in kube-system with an optional expiration. They authenticate as
/// <c>system:bootstrap:&lt;id&gt;</c> in group system:bootstrappers (plus the secret's auth-extra-groups).
/// </summary>
public static class BootstrapToken
{
    /// <summary>The secret type.</summary>
    public const string SecretType = "bootstrap.kubernetes.io/token";

    /// <summary>Prefix of the secret's name.</summary>
    public const string SecretPrefix = "bootstrap-token-";

    /// <summary>Namespace of the secrets.</summary>
    public const string Namespace = "kube-system";

    /// <summary>The extra group kubeadm gives node join tokens.</summary>
    public const string DefaultNodeTokenGroup = "system:bootstrappers:kubeadm:default-node-token";

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new random token <c>id.secret</c>.</summary>
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, 6) + "." + RandomNumberGenerator.GetString(Alphabet, 16);

    /// <summary>Splits a token into id and secret when it has the bootstrap token form.</summary>
    public static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = "";
        if (token.Length != 23 || token[6] != '.') return false;
        for (var i = 0; i < token.Length; i++)
        {
            if (i != 6 && !Alphabet.Contains(token[i], StringComparison.Ordinal)) return false;
        }
        id = token[..6];
        secret = token[7..];
        return true;
    }

    /// <summary>The secret's string data for a token (kubeadm's keys), valid until <paramref name="expires"/> when set.</summary>
    public static Dictionary<string, string> SecretData(string token, DateTimeOffset? expires, string description)
    {
        if (!TryParse(token, out var id, out var secret)) throw new ArgumentException($"\"{token}\" is not a bootstrap token", nameof(token));
        var data = new Dictionary<string, string>
        {
            ["token-id"] = id,
            ["token-secret"] = secret,
            ["usage-bootstrap-authentication"] = "true",
            ["usage-bootstrap-signing"] = "true",
            ["auth-extra-groups"] = DefaultNodeTokenGroup,
            ["description"] = description,
        };
        if (expires is { } at) data["expiration"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return data;
    }
}
