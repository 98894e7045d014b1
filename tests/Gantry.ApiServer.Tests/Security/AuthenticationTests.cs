using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gantry.ApiServer.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class AuthenticationTests(SecurityFixture fixture)
{
    [Fact]
    public async Task ServiceAccountToken_AuthenticatesAsTheServiceAccountWithItsGroups()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("authn");
        using var http = fixture.Client(await fixture.ServiceAccountTokenAsync(ns, "reader"));
        var (code, user) = await SecurityFixture.WhoAmIAsync(http);
        Assert.Equal(201, code);
        Assert.Equal($"system:serviceaccount:{ns}:reader", (string?)user!["username"]);
        Assert.Equal((string[])["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"],
            user["groups"]!.AsArray().Select(g => (string)g!).ToArray());
    }

    [Fact]
    public async Task BoundToken_OfAPodThatDoesNotExist_IsUnauthorized()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("authn");
        await fixture.ServiceAccountTokenAsync(ns, "bound");
        var token = await fixture.TokenAsync(ns, "bound",
            $$"""{"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"ghost","uid":"{{Guid.NewGuid()}}"} }""");
        using var http = fixture.Client(token);
        Assert.Equal(401, (await SecurityFixture.WhoAmIAsync(http)).Code);
    }

    [Fact]
    public async Task Token_OfADeletedServiceAccount_IsUnauthorized()
    {
        var ns = await fixture.Admin.CreateNamespaceAsync("authn");
        var token = await fixture.ServiceAccountTokenAsync(ns, "gone");
        Assert.Equal(200, (await fixture.Admin.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/serviceaccounts/gone")).Code);
        using var http = fixture.Client(token);
        await SecurityFixture.EventuallyAsync(async () => (await SecurityFixture.WhoAmIAsync(http)).Code == 401, "the token is refused");
    }

    [Fact]
    public async Task ClientCertificate_OfTheClusterCa_AuthenticatesWithCommonNameAndOrganizations()
    {
        using var http = fixture.Client(certificate: fixture.ClientCertificate("jane", "devs", "ops"));
        var (code, user) = await SecurityFixture.WhoAmIAsync(http);
        Assert.Equal(201, code);
        Assert.Equal("jane", (string?)user!["username"]);
        Assert.Equal((string[])["devs", "ops", "system:authenticated"], user["groups"]!.AsArray().Select(g => (string)g!).Order().ToArray());
    }

    [Fact]
    public async Task ClientCertificate_OfAnotherCa_IsUnauthorized()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=other-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherCa = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var http = fixture.Client(certificate: SecurityFixture.IssueClient(otherCa, "system:admin", "system:masters"));
        Assert.Equal(401, (await SecurityFixture.WhoAmIAsync(http)).Code);
    }

    [Fact]
    public async Task Requests_WithoutOrWithAnUnknownToken_AreUnauthorized()
    {
        using var anonymous = fixture.Client();
        Assert.Equal(401, (await SecurityFixture.SendAsync(anonymous, HttpMethod.Get, "/api/v1/pods")).Code);
        using var unknown = fixture.Client("not-a-token");
        Assert.Equal(401, (await SecurityFixture.SendAsync(unknown, HttpMethod.Get, "/api/v1/pods")).Code);
        Assert.Equal(200, (await SecurityFixture.SendAsync(anonymous, HttpMethod.Get, "/readyz")).Code);
    }

    [Fact]
    public async Task TokenCreate_PrintsAJoinTokenWhoseBootstrapTokenAuthenticatesAsABootstrapper()
    {
        var (exit, stdout, stderr) = await SecurityFixture.GantryAsync("token", "create", "--data-dir", fixture.Server.DataDir, "--ttl", "1h");
        Assert.True(exit == 0, stderr);
        var token = stdout.Trim();
        Assert.Matches("^K10[0-9a-f]{64}::[a-z0-9]{6}\\.[a-z0-9]{16}$", token);
        var credential = token[(token.IndexOf("::", StringComparison.Ordinal) + 2)..];
        using var http = fixture.Client(credential);
        var (code, user) = await SecurityFixture.WhoAmIAsync(http);
        Assert.Equal(201, code);
        Assert.Equal("system:bootstrap:" + credential[..6], (string?)user!["username"]);
        Assert.Contains("system:bootstrappers:kubeadm:default-node-token", user["groups"]!.AsArray().Select(g => (string?)g));
        var (_, secret) = await fixture.Admin.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/secrets/bootstrap-token-" + credential[..6]);
        Assert.Equal("bootstrap.kubernetes.io/token", (string?)secret!["type"]);
        Assert.NotNull(secret["data"]!["expiration"]);
        var list = await SecurityFixture.GantryAsync("token", "list", "--data-dir", fixture.Server.DataDir);
        Assert.Contains(token, list.Stdout);
    }

    [Fact]
    public async Task ATokenCreatedWithATtl_IsDeletedOnceItExpires()
    {
        var (exit, stdout, stderr) = await SecurityFixture.GantryAsync("token", "create", "--data-dir", fixture.Server.DataDir, "--ttl", "2s");
        Assert.True(exit == 0, stderr);
        var id = stdout.Trim()[(stdout.Trim().IndexOf("::", StringComparison.Ordinal) + 2)..][..6];
        await Gantry.Testing.Eventually.HoldsAsync(async () =>
            (await fixture.Admin.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/secrets/bootstrap-token-" + id)).Code == 404,
            "the token cleaner to delete the expired token's Secret", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        Assert.DoesNotContain(id + ".", (await SecurityFixture.GantryAsync("token", "list", "--data-dir", fixture.Server.DataDir)).Stdout);
    }

    [Fact]
    public async Task CaCerts_AreServedWithoutCredentialsAndHashToTheServersJoinToken()
    {
        using var anonymous = fixture.Client();
        var pem = await anonymous.GetStringAsync("/cacerts");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(pem))).ToLowerInvariant();
        var token = (await File.ReadAllTextAsync(Path.Combine(fixture.Server.DataDir, "token"))).Trim();
        Assert.StartsWith($"K10{hash}::server:", token);
        Assert.Contains("gantry: join token K10", fixture.Server.Output);
    }
}
