using Gantry.Client;
using k8s;
using k8s.Models;

namespace Gantry.Node.Tests.Volumes;

/// <summary>Passes everything to a real client and counts token requests.</summary>
internal sealed class CountingApiClient(IApiClient inner) : IApiClient
{
    private int _tokenRequests;

    public int TokenRequests => _tokenRequests;

    public IResourceClient<T> For<T>() where T : class, IKubernetesObject<V1ObjectMeta> => inner.For<T>();

    public Task BindAsync(string ns, string podName, string nodeName, string? podUid = null, CancellationToken cancellationToken = default) =>
        inner.BindAsync(ns, podName, nodeName, podUid, cancellationToken);

    public Task EvictAsync(string ns, string podName, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.EvictAsync(ns, podName, options, cancellationToken);

    public Task<Authenticationv1TokenRequest> CreateTokenAsync(string ns, string serviceAccountName, Authenticationv1TokenRequest request,
        CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _tokenRequests);
        return inner.CreateTokenAsync(ns, serviceAccountName, request, cancellationToken);
    }
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
