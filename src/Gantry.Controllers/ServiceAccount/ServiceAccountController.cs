using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;

namespace Gantry.Controllers.ServiceAccount;

/// <summary>
/// Gives every active namespace its <c>default</c> ServiceAccount and recreates it when it is deleted, as
/// kube-controller-manager's serviceaccount controller does.
/// </summary>
public sealed class ServiceAccountController : IController
{
    private readonly ControllerContext _context;
    private readonly ServiceAccountOptions _options;
    private readonly RateLimitingQueue<string> _queue;
    private readonly Informer<V1Namespace> _namespaces;
    private readonly Informer<V1ServiceAccount> _serviceAccounts;

    /// <summary>Watches namespaces and service accounts through the context's shared informers.</summary>
    public ServiceAccountController(ControllerContext context, ServiceAccountOptions? options = null)
    {
        _context = context;
        _options = options ?? new ServiceAccountOptions();
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _namespaces = context.Informers.For<V1Namespace>();
        _serviceAccounts = context.Informers.For<V1ServiceAccount>();
        _namespaces.AddEventHandler(onAdd: ns => _queue.Add(ns.Metadata.Name), onUpdate: (_, ns) => _queue.Add(ns.Metadata.Name));
        _serviceAccounts.AddEventHandler(onDelete: sa =>
        {
            if (_options.ServiceAccounts.Contains(sa.Metadata.Name)) _queue.Add(sa.Metadata.NamespaceProperty);
        });
    }

    /// <inheritdoc />
    public string Name => "serviceaccount-controller";

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) =>
        new ControllerRunner<string>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_options.Workers, cancellationToken);

    private async Task ReconcileAsync(string ns, CancellationToken cancellationToken)
    {
        var current = _namespaces.Get(null, ns);
        if (current is null || current.Metadata.DeletionTimestamp is not null || current.Status?.Phase != "Active") return;
        foreach (var name in _options.ServiceAccounts)
        {
            if (_serviceAccounts.Get(ns, name) is not null) continue;
            try
            {
                await _context.Client.For<V1ServiceAccount>().CreateAsync(
                    new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } }, ns, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiClientException ex) when (ex.IsAlreadyExists || NamespaceTerminating.Refused(ex))
            {
            }
        }
    }
}
