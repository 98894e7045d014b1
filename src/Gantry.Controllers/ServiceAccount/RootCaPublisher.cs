using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;

namespace Gantry.Controllers.ServiceAccount;

/// <summary>
/// Publishes the cluster CA as the <c>kube-root-ca.crt</c> ConfigMap (key <c>ca.crt</c>) in every namespace and puts it
/// back when it is changed or deleted, as kube-controller-manager's root-ca-cert-publisher does; pods mount it to trust
/// the API server.
/// </summary>
public sealed class RootCaPublisher : IController
{
    /// <summary>The ConfigMap's name.</summary>
    public const string ConfigMapName = "kube-root-ca.crt";

    /// <summary>The data key holding the PEM bundle.</summary>
    public const string DataKey = "ca.crt";

    private const string DescriptionAnnotation = "kubernetes.io/description";
    private const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal "
        + "service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    private readonly ControllerContext _context;
    private readonly RootCaPublisherOptions _options;
    private readonly RateLimitingQueue<string> _queue;
    private readonly Informer<V1ConfigMap> _configMaps;

    /// <summary>Publishes <see cref="RootCaPublisherOptions.RootCaPem"/>, watching namespaces and ConfigMaps through the shared informers.</summary>
    public RootCaPublisher(ControllerContext context, RootCaPublisherOptions options)
    {
        _context = context;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _configMaps = context.Informers.For<V1ConfigMap>();
        _configMaps.AddEventHandler(onUpdate: (_, cm) => EnqueueOwnConfigMap(cm), onDelete: EnqueueOwnConfigMap);
        context.Informers.For<V1Namespace>().AddEventHandler(
            onAdd: ns => _queue.Add(ns.Metadata.Name),
            onUpdate: (_, ns) =>
            {
                if (ns.Status?.Phase == "Active") _queue.Add(ns.Metadata.Name);
            });
    }

    /// <inheritdoc />
    public string Name => "root-ca-cert-publisher";

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) =>
        new ControllerRunner<string>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_options.Workers, cancellationToken);

    private void EnqueueOwnConfigMap(V1ConfigMap cm)
    {
        if (cm.Metadata.Name == ConfigMapName) _queue.Add(cm.Metadata.NamespaceProperty);
    }

    private async Task ReconcileAsync(string ns, CancellationToken cancellationToken)
    {
        var client = _context.Client.For<V1ConfigMap>();
        var cached = _configMaps.Get(ns, ConfigMapName);
        if (cached is null)
        {
            try
            {
                await client.CreateAsync(new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = ConfigMapName, NamespaceProperty = ns, Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description },
                    },
                    Data = new Dictionary<string, string> { [DataKey] = _options.RootCaPem },
                }, ns, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiClientException ex) when (NamespaceTerminating.Refused(ex))
            {
                // Not retried: the namespace is gone or being emptied.
            }
            return;
        }
        if (cached.Data is { Count: 1 } data && data.TryGetValue(DataKey, out var pem) && pem == _options.RootCaPem
            && cached.Metadata.Annotations?.TryGetValue(DescriptionAnnotation, out var description) == true && description.Length > 0)
            return;
        var updated = ObjectCopy.DeepCopy(cached);
        updated.Data = new Dictionary<string, string> { [DataKey] = _options.RootCaPem };
        updated.Metadata.Annotations ??= new Dictionary<string, string>();
        updated.Metadata.Annotations[DescriptionAnnotation] = Description;
        await client.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
    }
}
