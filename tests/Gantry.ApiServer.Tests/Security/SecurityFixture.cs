using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Security;

/// <summary>
/// One server for the security suites (its own: the nodes and bindings these tests create must not reach the shared
/// server's scheduler), with clients for any identity: a bearer token, a client certificate of the cluster CA, or none.
/// </summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    private GantryServer? _server;

    /// <summary>The running server.</summary>
    public GantryServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>Admin requests.</summary>
    public RawApi Admin { get; private set; } = null!;

    /// <summary>kubectl 1.32 with the admin kubeconfig.</summary>
    public Gantry.Testing.Processes.Kubectl Kubectl => new(Server);

    /// <summary>The cluster CA with its key, from the data dir.</summary>
    public X509Certificate2 Ca => X509Certificate2.CreateFromPemFile(Path.Combine(Server.DataDir, "tls", "ca.crt"), Path.Combine(Server.DataDir, "tls", "ca.key"));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _server = await GantryServer.StartAsync();
        Admin = new RawApi(_server);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A client sending <paramref name="token"/> as bearer token (none when null) and presenting <paramref name="certificate"/>.</summary>
    public HttpClient Client(string? token = null, X509Certificate2? certificate = null)
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        if (certificate is not null) handler.SslOptions.ClientCertificates = [certificate];
        var http = new HttpClient(handler) { BaseAddress = new Uri(Server.Url), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A service account in <paramref name="ns"/> and a token for it.</summary>
    public async Task<string> ServiceAccountTokenAsync(string ns, string name)
    {
        var (code, _) = await Admin.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts", $$"""{"metadata":{"name":"{{name}}"} }""");
        Assert.True(code is 201 or 409, $"creating the service account answered {code}");
        return await TokenAsync(ns, name, "{}");
    }

    /// <summary>A TokenRequest's token for an existing service account.</summary>
    public async Task<string> TokenAsync(string ns, string name, string spec)
    {
        var (code, body) = await Admin.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/{name}/token",
            $$"""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{{spec}}}""");
        Assert.Equal(201, code);
        return (string)body!["status"]!["token"]!;
    }

    /// <summary>A client certificate of the cluster CA with common name <paramref name="user"/> and organizations <paramref name="groups"/>.</summary>
    public X509Certificate2 ClientCertificate(string user, params string[] groups) => IssueClient(Ca, user, groups);

    /// <summary>A client certificate for the subject, signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 IssueClient(X509Certificate2 issuer, string user, params string[] groups)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups) subject.AddOrganizationName(group);
        subject.AddCommonName(user);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var signed = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Sends a request and returns the status and JSON body.</summary>
    public static async Task<(int Code, JsonNode? Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try { json = text.Length > 0 ? JsonNode.Parse(text) : null; }
        catch (System.Text.Json.JsonException) { }
        return ((int)response.StatusCode, json);
    }

    /// <summary>Who the server says the client is (a SelfSubjectReview), or the failing status code.</summary>
    public static async Task<(int Code, JsonNode? User)> WhoAmIAsync(HttpClient http)
    {
        var (code, body) = await SendAsync(http, HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""");
        return (code, code == 201 ? body?["status"]?["userInfo"] : null);
    }

    /// <summary>Runs the gantry CLI with <paramref name="args"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> GantryAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Paths.Gantry) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Polls <paramref name="attempt"/> until it returns true (the watch caches trail the store by milliseconds).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> attempt, string what)
    {
        for (var i = 0; i < 50; i++)
        {
            if (await attempt()) return;
            await Task.Delay(100);
        }
        Assert.Fail($"timed out waiting until {what}");
    }
}

/// <summary>The collection sharing the security server.</summary>
[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "security";
}
