using System.Collections.Concurrent;
using Gantry.Client.Transport;
using k8s;
using k8s.Models;

namespace Gantry.Client;

/// <summary>
/// The HTTP(S) <see cref="IApiClient"/>: one HttpClient (HTTP/2, pooled) shared by every typed client. The transport is an
/// <see cref="HttpMessageHandler"/>, so an in-process handler can replace the network without changing callers.
/// </summary>
public sealed class ApiClient : IApiClient, IDisposable
{
    private readonly RestTransport _transport;
    private readonly ApiClientOptions _options;
    private readonly ConcurrentDictionary<Type, object> _clients = new();
    private readonly ResourceInfo _pods;

    /// <summary>A client of <paramref name="server"/> sending requests through <paramref name="handler"/>.</summary>
    public ApiClient(HttpMessageHandler handler, Uri server, string? bearerToken = null, ApiClientOptions? options = null, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(server);
        _options = options ?? new ApiClientOptions();
        // Settles the package's serializer options (see KubernetesJsonOptions) before this client's users serialize with them.
        _ = KubernetesJsonOptions.Options;
        _transport = new RestTransport(handler, disposeHandler, server, bearerToken, _options);
        _pods = ResourceInfo.Of(typeof(V1Pod), _options.Registry);
    }

    /// <summary>A client of the cluster a <see cref="ClusterConnection"/> describes.</summary>
    public ApiClient(ClusterConnection connection, ApiClientOptions? options = null)
        : this(connection.CreateHandler(), connection.Server, connection.BearerToken, options)
    {
    }

    /// <summary>A client built from a kubeconfig file (its current context unless <paramref name="context"/> is given).</summary>
    public static ApiClient FromKubeconfig(string path, string? context = null, ApiClientOptions? options = null) =>
        new(KubeconfigLoader.Load(path, context), options);

    /// <inheritdoc />
    public IResourceClient<T> For<T>() where T : class, IKubernetesObject<V1ObjectMeta> =>
        (IResourceClient<T>)_clients.GetOrAdd(typeof(T), static (type, self) =>
            new ResourceClient<T>(self._transport, ResourceInfo.Of(type, self._options.Registry)), this);

    /// <inheritdoc />
    public Task BindAsync(string ns, string podName, string nodeName, string? podUid = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        var binding = new V1Binding
        {
            ApiVersion = "v1",
            Kind = "Binding",
            Metadata = new V1ObjectMeta { Name = podName, NamespaceProperty = ns, Uid = podUid },
            Target = new V1ObjectReference { Kind = "Node", ApiVersion = "v1", Name = nodeName },
        };
        return _transport.SendAsync(HttpMethod.Post, _pods.ObjectPath(ns, podName, "binding"), RestTransport.Json(binding), falseOnNotFound: false, cancellationToken);
    }

    /// <inheritdoc />
    public Task EvictAsync(string ns, string podName, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var eviction = new V1Eviction
        {
            ApiVersion = "policy/v1",
            Kind = "Eviction",
            Metadata = new V1ObjectMeta { Name = podName, NamespaceProperty = ns },
            DeleteOptions = options?.ToModel(),
        };
        return _transport.SendAsync(HttpMethod.Post, _pods.ObjectPath(ns, podName, "eviction"), RestTransport.Json(eviction), falseOnNotFound: false, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Authenticationv1TokenRequest> CreateTokenAsync(string ns, string serviceAccountName, Authenticationv1TokenRequest request,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.ApiVersion ??= "authentication.k8s.io/v1";
        request.Kind ??= "TokenRequest";
        var path = ResourceInfo.Of(typeof(V1ServiceAccount), _options.Registry).ObjectPath(ns, serviceAccountName, "token");
        return await _transport.SendAsync<Authenticationv1TokenRequest>(HttpMethod.Post, path, RestTransport.Json(request), nullOnNotFound: false,
            cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"empty answer to the token request of {ns}/{serviceAccountName}");
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose() => _transport.Dispose();
}
