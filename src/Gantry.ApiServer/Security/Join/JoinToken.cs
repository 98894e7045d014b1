using System.Security.Cryptography;
using System.Text;

namespace Gantry.ApiServer.Security.Join;

/// <summary>
/// A join token in k3s's secure format <c>K10&lt;CA hash&gt;::&lt;credential&gt;</c>. The CA hash is the lowercase hex
/// SHA-256 of the cluster CA certificate's PEM bytes exactly as <c>GET /cacerts</c> serves them (k3s hashes the served
/// bundle the same way), so an agent can trust the CA it downloads without trusting the network. The credential is
/// either <c>server:&lt;secret&gt;</c> (the server's token file) or a kubeadm bootstrap token <c>&lt;id&gt;.&lt;secret&gt;</c>.
/// </summary>
public sealed record JoinToken(string? CaHash, string Credential)
{
    private const string Prefix = "K10";

    /// <summary>The credential's user part for the server token.</summary>
    public const string ServerUser = "server";

    /// <summary>Parses a K10 token; a token without the prefix is a bare credential (no CA hash).</summary>
    public static JoinToken Parse(string token)
    {
        token = token.Trim();
        if (token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var separator = token.IndexOf("::", StringComparison.Ordinal);
            if (separator > Prefix.Length) return new JoinToken(token[Prefix.Length..separator], token[(separator + 2)..]);
        }
        return new JoinToken(null, token);
    }

    /// <summary>Whether <paramref name="token"/> is in the K10 format (carries a CA hash).</summary>
    public static bool IsSecureFormat(string token) => Parse(token).CaHash is not null;

    /// <summary>The CA hash of a PEM bundle.</summary>
    public static string HashCa(string caPem) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(caPem))).ToLowerInvariant();

    /// <summary>Whether <paramref name="caPem"/> is the CA the token names (constant time).</summary>
    public bool MatchesCa(string caPem) =>
        CaHash is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashCa(caPem)), Encoding.ASCII.GetBytes(CaHash.ToLowerInvariant()));

    /// <inheritdoc />
    public override string ToString() => CaHash is null ? Credential : Prefix + CaHash + "::" + Credential;
}
