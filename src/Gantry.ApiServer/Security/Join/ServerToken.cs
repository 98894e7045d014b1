using System.Security.Cryptography;
using System.Text;

namespace Gantry.ApiServer.Security.Join;

/// <summary>
/// The server's own join secret, kept in <c>&lt;dataDir&gt;/token</c> as a full K10 join token (k3s's layout), created
/// at first start. Its credential <c>server:&lt;secret&gt;</c> lets agents obtain node credentials; it is not a bearer
/// token for the API.
/// </summary>
internal sealed class ServerToken
{
    private readonly byte[] _credential;

    private ServerToken(JoinToken token, bool created)
    {
        Token = token;
        Created = created;
        _credential = Encoding.UTF8.GetBytes(token.Credential);
    }

    /// <summary>The join token (with the current CA's hash).</summary>
    public JoinToken Token { get; }

    /// <summary>Whether this start created the token (it is printed once, then).</summary>
    public bool Created { get; }

    /// <summary>Loads <c>&lt;dataDir&gt;/token</c> (rewriting the CA hash when the CA changed) or creates it.</summary>
    public static ServerToken LoadOrCreate(string dataDir, string caPem)
    {
        var path = Path.Combine(dataDir, "token");
        var hash = JoinToken.HashCa(caPem);
        if (File.Exists(path))
        {
            var existing = JoinToken.Parse(File.ReadAllText(path));
            if (existing.Credential.StartsWith(JoinToken.ServerUser + ":", StringComparison.Ordinal))
            {
                var current = existing with { CaHash = hash };
                if (current != existing) Write(path, current);
                return new ServerToken(current, created: false);
            }
        }
        var token = new JoinToken(hash, $"{JoinToken.ServerUser}:{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}");
        Write(path, token);
        return new ServerToken(token, created: true);
    }

    /// <summary>Constant-time check of a presented credential (<c>server:&lt;secret&gt;</c>).</summary>
    public bool Matches(string credential) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credential), _credential);

    private static void Write(string path, JoinToken token)
    {
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, token + "\n");
    }
}
