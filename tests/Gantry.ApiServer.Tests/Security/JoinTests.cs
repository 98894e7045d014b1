using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Security.Join;

namespace Gantry.ApiServer.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class JoinTests(SecurityFixture fixture)
{
    private JoinToken ServerToken => JoinToken.Parse(File.ReadAllText(Path.Combine(fixture.Server.DataDir, "token")));

    private static JsonObject CredentialsRequest(string node, ECDsa clientKey, ECDsa servingKey, string password = "password-of-this-machine") => new()
    {
        [NodeCredentialsApi.NodeName] = node,
        [NodeCredentialsApi.NodePassword] = password,
        [NodeCredentialsApi.ClientCsr] = new CertificateRequest("CN=ignored", clientKey, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
        [NodeCredentialsApi.ServingCsr] = new CertificateRequest("CN=ignored", servingKey, HashAlgorithmName.SHA256).CreateSigningRequestPem(),
        [NodeCredentialsApi.Addresses] = new JsonArray("10.0.0.7", "worker-7.example"),
    };

    [Fact]
    public async Task NodeCredentials_ForTheServerToken_AreCertificatesOfTheNodeSignedByTheCa()
    {
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var servingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var http = fixture.Client(ServerToken.Credential);
        var (code, body) = await SecurityFixture.SendAsync(http, HttpMethod.Post, NodeCredentialsApi.Path,
            CredentialsRequest("worker-7", clientKey, servingKey).ToJsonString());
        Assert.Equal(200, code);
        using var client = X509Certificate2.CreateFromPem((string)body![NodeCredentialsApi.ClientCertificate]!);
        using var serving = X509Certificate2.CreateFromPem((string)body[NodeCredentialsApi.ServingCertificate]!);
        Assert.Equal("system:node:worker-7", client.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Contains("O=system:nodes", client.Subject);
        Assert.Equal(clientKey.ExportSubjectPublicKeyInfo(), client.PublicKey.ExportSubjectPublicKeyInfo());
        var sans = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("worker-7.example", sans.EnumerateDnsNames());
        Assert.Contains("10.0.0.7", sans.EnumerateIPAddresses().Select(a => a.ToString()));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(fixture.Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(serving));
        // The client certificate logs the node in as itself.
        using var withKey = client.CopyWithPrivateKey(clientKey);
        using var node = fixture.Client(certificate: X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
        var (_, user) = await SecurityFixture.WhoAmIAsync(node);
        Assert.Equal("system:node:worker-7", (string?)user!["username"]);
        Assert.Contains("system:nodes", user["groups"]!.AsArray().Select(g => (string?)g));
    }

    [Fact]
    public async Task NodeCredentials_WithoutAJoinCredential_AreRefused()
    {
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var servingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CredentialsRequest("intruder", clientKey, servingKey).ToJsonString();
        using var wrong = fixture.Client("server:0000");
        Assert.Equal(401, (await SecurityFixture.SendAsync(wrong, HttpMethod.Post, NodeCredentialsApi.Path, request)).Code);
        var ns = await fixture.Admin.CreateNamespaceAsync("join");
        using var serviceAccount = fixture.Client(await fixture.ServiceAccountTokenAsync(ns, "sneaky"));
        Assert.Equal(401, (await SecurityFixture.SendAsync(serviceAccount, HttpMethod.Post, NodeCredentialsApi.Path, request)).Code);
        using var server = fixture.Client(ServerToken.Credential);
        var bad = CredentialsRequest("Not_A_Name", clientKey, servingKey).ToJsonString();
        Assert.Equal(400, (await SecurityFixture.SendAsync(server, HttpMethod.Post, NodeCredentialsApi.Path, bad)).Code);
    }

    [Fact]
    public async Task NodeCredentials_ForANodeNameJoinedWithAnotherPassword_AreRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var server = fixture.Client(ServerToken.Credential);
        var first = CredentialsRequest("worker-8", key, key, "first-machine-password").ToJsonString();
        Assert.Equal(200, (await SecurityFixture.SendAsync(server, HttpMethod.Post, NodeCredentialsApi.Path, first)).Code);
        Assert.Equal(200, (await SecurityFixture.SendAsync(server, HttpMethod.Post, NodeCredentialsApi.Path, first)).Code);
        var (code, status) = await SecurityFixture.SendAsync(server, HttpMethod.Post, NodeCredentialsApi.Path,
            CredentialsRequest("worker-8", key, key, "another-machine-password").ToJsonString());
        Assert.Equal(403, code);
        Assert.StartsWith("node password rejected for node \"worker-8\"", (string?)status!["message"]);
    }

    [Fact]
    public async Task Agent_WithATokenNamingAnotherCa_RefusesToJoin()
    {
        var token = ServerToken with { CaHash = new string('0', 64) };
        var dataDir = Directory.CreateTempSubdirectory("gantry-join-").FullName;
        try
        {
            var (exit, _, stderr) = await SecurityFixture.GantryAsync("agent", "--server", fixture.Server.Url, "--token", token.ToString(),
                "--data-dir", dataDir, "--node-name", "refused");
            Assert.Equal(1, exit);
            Assert.Contains("is not the one the join token names", stderr);
            Assert.False(Directory.Exists(Path.Combine(dataDir, "agent", "tls")) && Directory.EnumerateFiles(Path.Combine(dataDir, "agent", "tls")).Any());
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public void JoinToken_RoundTripsAndChecksTheCaHash()
    {
        const string pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";
        var token = new JoinToken(JoinToken.HashCa(pem), "abcdef.0123456789abcdef");
        var parsed = JoinToken.Parse(token.ToString());
        Assert.Equal(token, parsed);
        Assert.True(parsed.MatchesCa(pem));
        Assert.False(parsed.MatchesCa(pem + "\n"));
        Assert.Null(JoinToken.Parse("plain-bearer-token").CaHash);
        Assert.True(BootstrapToken.TryParse(BootstrapToken.Generate(), out _, out _));
        Assert.False(BootstrapToken.TryParse("ABCDEF.0123456789abcdef", out _, out _));
    }
}
