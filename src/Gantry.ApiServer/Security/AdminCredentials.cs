using System.Security.Cryptography;
using System.Text;

namespace Gantry.ApiServer.Security;

/// <summary>The admin bearer token (generated once, kept in the data dir) and the kubeconfig that carries it.</summary>
public sealed class AdminCredentials
{
    private readonly byte[] _tokenBytes;

    private AdminCredentials(string token)
    {
        Token = token;
        _tokenBytes = Encoding.UTF8.GetBytes(token);
    }

    /// <summary>The bearer token.</summary>
    public string Token { get; }

    /// <summary>Loads the token from <c>&lt;dataDir&gt;/admin.token</c>, creating it at first start.</summary>
    public static AdminCredentials LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, "admin.token");
        if (File.Exists(path)) return new AdminCredentials(File.ReadAllText(path).Trim());
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, token + "\n");
        return new AdminCredentials(token);
    }

    /// <summary>Constant-time check of a presented token.</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        Span<byte> buffer = stackalloc byte[128];
        if (presented.Length > buffer.Length) return false;
        var count = Encoding.UTF8.GetBytes(presented, buffer);
        return CryptographicOperations.FixedTimeEquals(buffer[..count], _tokenBytes);
    }

    /// <summary>Writes a kubeconfig for the admin (mode 0600).</summary>
    public void WriteKubeconfig(string path, string serverUrl, string caPem)
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        var text = $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: gantry
              cluster:
                server: {{serverUrl}}
                certificate-authority-data: {{ca}}
            users:
            - name: admin
              user:
                token: {{Token}}
            contexts:
            - name: gantry
              context:
                cluster: gantry
                user: admin
            current-context: gantry
            preferences: {}

            """;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
