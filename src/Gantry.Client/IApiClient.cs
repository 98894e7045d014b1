using k8s;
using k8s.Models;

namespace Gantry.Client;

/// <summary>
/// The one way controllers, the scheduler and node agents talk to the API server. Implementations are thread-safe and
/// meant to be shared by a whole process.
/// </summary>
public interface IApiClient
{
    /// <summary>The typed client of the resource whose kind is <typeparamref name="T"/> (e.g. V1Pod -> core/v1 pods).</summary>
    IResourceClient<T> For<T>() where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Binds a pod to a node (POST pods/{name}/binding), as the scheduler does.</summary>
    Task BindAsync(string ns, string podName, string nodeName, string? podUid = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Evicts a pod (POST pods/{name}/eviction), honouring disruption budgets; a blocked eviction throws with
    /// <see cref="ApiClientException.IsTooManyRequests"/>.
    /// </summary>
    Task EvictAsync(string ns, string podName, DeleteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requests a service account token (POST serviceaccounts/{name}/token), as the kubelet does for projected token
    /// volumes. The default throws so that wrappers written before this member keep compiling; the HTTP client implements it.
    /// </summary>
    Task<Authenticationv1TokenRequest> CreateTokenAsync(string ns, string serviceAccountName, Authenticationv1TokenRequest request,
        CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} does not request tokens");
}
