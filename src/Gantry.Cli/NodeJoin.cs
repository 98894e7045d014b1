using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Security.Join;

namespace Gantry.Cli;

/// <summary>
/// The agent's side of joining with a K10 token (as k3s and kubeadm): download the CA without trusting the network,
/// accept it only when its hash is the token's, then send signing requests for a client and a serving key and keep the
/// certificates under <c>&lt;data-dir&gt;/agent/tls</c>. They are reused at the next start while valid for another
/// day and issued by the server's current CA; otherwise the agent joins again.
/// </summary>
internal static class NodeJoin
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(1);

    /// <summary>The node's credentials: client and serving certificates with their keys, and the cluster CA.</summary>
    public sealed record Credentials(X509Certificate2 Client, X509Certificate2 Serving, X509Certificate2 Ca);

    /// <summary>Verifies the server's CA against the token and returns this node's credentials, joining when needed.</summary>
    /// <exception cref="InvalidOperationException">The CA does not match the token, or the server refused the join.</exception>
    public static async Task<Credentials> JoinAsync(Uri server, JoinToken token, string dataDir, string nodeName, IReadOnlyList<string> addresses,
        CancellationToken cancellationToken)
    {
        var caPem = await FetchCaAsync(server, cancellationToken);
        if (!token.MatchesCa(caPem))
            throw new InvalidOperationException($"the CA of {server} (sha256 {JoinToken.HashCa(caPem)}) is not the one the join token names "
                + $"({token.CaHash}): refusing to join (wrong server, wrong token, or someone in between)");
        using var ca = X509Certificate2.CreateFromPem(caPem);
        var dir = Path.Combine(dataDir, "agent", "tls");
        Directory.CreateDirectory(dir);
        var stored = Load(dir, caPem, nodeName);
        if (stored is not null) return stored;
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var servingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new JsonObject
        {
            [NodeCredentialsApi.NodeName] = nodeName,
            [NodeCredentialsApi.ClientCsr] = SigningRequest(clientKey, nodeName),
            [NodeCredentialsApi.ServingCsr] = SigningRequest(servingKey, nodeName),
            [NodeCredentialsApi.NodePassword] = NodePassword(dataDir),
            [NodeCredentialsApi.Addresses] = new JsonArray(addresses.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
        };
        using var http = new HttpClient(TrustingOnly(ca)) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        using var message = new HttpRequestMessage(HttpMethod.Post, NodeCredentialsApi.Path) { Content = new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Credential);
        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"the server refused the join ({(int)response.StatusCode} {response.ReasonPhrase}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))?.AsObject() ?? throw new InvalidOperationException("the server sent no credentials");
        var clientPem = (string?)answer[NodeCredentialsApi.ClientCertificate] ?? throw new InvalidOperationException("the server sent no client certificate");
        var servingPem = (string?)answer[NodeCredentialsApi.ServingCertificate] ?? throw new InvalidOperationException("the server sent no serving certificate");
        WritePrivate(Path.Combine(dir, "client.key"), clientKey.ExportPkcs8PrivateKeyPem());
        WritePrivate(Path.Combine(dir, "serving.key"), servingKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(dir, "client.crt"), clientPem);
        File.WriteAllText(Path.Combine(dir, "serving.crt"), servingPem);
        File.WriteAllText(Path.Combine(dir, "ca.crt"), caPem);
        return Load(dir, caPem, nodeName) ?? throw new InvalidOperationException("the certificates the server sent are not valid for this node");
    }

    /// <summary>GET /cacerts without verifying the server: the token's hash is what makes the answer trustworthy.</summary>
    private static async Task<string> FetchCaAsync(Uri server, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            return await http.GetStringAsync(NodeCredentialsApi.CaCertsPath, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"cannot fetch the CA from {server}: {ex.Message}", ex);
        }
    }

    /// <summary>This machine's node password (k3s keeps it in /etc/rancher/node/password), created at the first join.</summary>
    private static string NodePassword(string dataDir)
    {
        var path = Path.Combine(dataDir, "agent", "node-password");
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        WritePrivate(path, password + "\n");
        return password;
    }

    private static SocketsHttpHandler TrustingOnly(X509Certificate2 ca)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return handler;
    }

    private static string SigningRequest(ECDsa key, string nodeName) =>
        new CertificateRequest($"CN=system:node:{nodeName}, O=system:nodes", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

    /// <summary>The stored credentials when they were issued by <paramref name="caPem"/> for this node and stay valid for another day.</summary>
    private static Credentials? Load(string dir, string caPem, string nodeName)
    {
        string In(string name) => Path.Combine(dir, name);
        if (!new[] { "client.crt", "client.key", "serving.crt", "serving.key", "ca.crt" }.All(f => File.Exists(In(f)))) return null;
        if (File.ReadAllText(In("ca.crt")) != caPem) return null;
        try
        {
            var client = Usable(X509Certificate2.CreateFromPemFile(In("client.crt"), In("client.key")));
            var serving = Usable(X509Certificate2.CreateFromPemFile(In("serving.crt"), In("serving.key")));
            if (client.GetNameInfo(X509NameType.SimpleName, false) != "system:node:" + nodeName || DateTime.Now + RenewBefore > client.NotAfter
                || DateTime.Now + RenewBefore > serving.NotAfter)
                return null;
            return new Credentials(client, serving, X509Certificate2.CreateFromPem(caPem));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>TLS on Linux wants a key it can export; a PKCS#12 round trip gives one.</summary>
    private static X509Certificate2 Usable(X509Certificate2 certificate)
    {
        using (certificate) return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, content);
    }
}
