using Gantry.Client.Tests.Harness;
using Gantry.Client.Transport;
using k8s.Models;

namespace Gantry.Client.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class TransportTests(ServerFixture fixture)
{
    private sealed class VersionRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<Version> Versions { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            lock (Versions) Versions.Add(response.Version);
            return response;
        }
    }

    [Fact]
    public async Task Kubeconfig_ConnectsOverHttp2WithThePinnedCaAndToken()
    {
        var connection = KubeconfigLoader.Load(fixture.Server.Kubeconfig);
        Assert.NotNull(connection.BearerToken);
        Assert.NotEmpty(connection.CertificateAuthorities);
        var recorder = new VersionRecorder(connection.CreateHandler());
        using var client = new ApiClient(recorder, connection.Server, connection.BearerToken);

        Assert.NotNull(await client.For<V1Namespace>().GetAsync(null, "default"));
        Assert.Equal([new Version(2, 0)], recorder.Versions);
    }

    [Fact]
    public async Task WrongToken_IsUnauthorized()
    {
        var connection = KubeconfigLoader.Load(fixture.Server.Kubeconfig) with { BearerToken = "wrong" };
        using var client = new ApiClient(connection);
        var ex = await Assert.ThrowsAsync<ApiClientException>(() => client.For<V1Namespace>().GetAsync(null, "default"));
        Assert.Equal(401, (int)ex.StatusCode);
    }

    [Fact]
    public async Task ServerCertificateNotFromTheKubeconfigCa_IsRejected()
    {
        using var otherCa = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=other", otherCa, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var otherRoot = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var connection = KubeconfigLoader.Load(fixture.Server.Kubeconfig) with { CertificateAuthorities = [otherRoot] };
        using var client = new ApiClient(connection);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.For<V1Namespace>().GetAsync(null, "default"));
    }

    [Fact]
    public void DeepCopy_IsIndependentOfTheOriginal()
    {
        var pod = Objects.Pod("ns", "p", new Dictionary<string, string> { ["a"] = "1" });
        var copy = ObjectCopy.DeepCopy(pod);
        copy.Metadata.Labels["a"] = "2";
        Assert.Equal("1", pod.Metadata.Labels["a"]);
        Assert.Equal("busybox", copy.Spec.Containers[0].Image);
    }
}
