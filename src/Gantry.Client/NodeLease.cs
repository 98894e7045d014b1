using k8s.Models;

namespace Gantry.Client;

/// <summary>
/// A node's heartbeat Lease in kube-node-lease, kept as the kubelet's node lease controller keeps it: created owned by
/// its Node (so deleting the Node garbage-collects it), then renewed by updating the last Lease seen. Not thread-safe:
/// one caller renews at a time.
/// </summary>
public sealed class NodeLease
{
    /// <summary>The namespace node Leases live in.</summary>
    public const string Namespace = "kube-node-lease";

    private readonly IApiClient _client;
    private readonly string _nodeName;
    private readonly int _durationSeconds;
    private V1Lease? _lease;

    /// <summary>Prepares the Lease of <paramref name="nodeName"/>; nothing is sent before <see cref="RenewAsync"/>.</summary>
    public NodeLease(IApiClient client, string nodeName, int durationSeconds)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentNullException.ThrowIfNull(nodeName);
        _nodeName = nodeName;
        _durationSeconds = durationSeconds;
    }

    /// <summary>
    /// Creates the Lease when it does not exist yet, otherwise sets its holder, duration and renew time. A Lease deleted
    /// since the last renewal throws the not-found error and is created afresh on the next call; a conflicting write is
    /// renewed on top of the Lease there now.
    /// </summary>
    public async Task RenewAsync(DateTime renewTime, CancellationToken cancellationToken)
    {
        var leases = _client.For<V1Lease>();
        if (_lease is null)
        {
            _lease = await leases.GetAsync(Namespace, _nodeName, cancellationToken).ConfigureAwait(false);
            if (_lease is null)
            {
                var owner = await _client.For<V1Node>().GetAsync(null, _nodeName, cancellationToken).ConfigureAwait(false);
                _lease = await leases.CreateAsync(NewLease(owner, renewTime), cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        try
        {
            _lease = await leases.UpdateAsync(Renewed(_lease, renewTime), cancellationToken).ConfigureAwait(false);
        }
        catch (ApiClientException ex) when (ex.IsNotFound)
        {
            // Deleted (e.g. garbage-collected with its Node): created afresh on the next renewal.
            _lease = null;
            throw;
        }
        catch (ConflictException)
        {
            // Someone else wrote the Lease: renew on top of what is there now.
            var fresh = await leases.GetAsync(Namespace, _nodeName, cancellationToken).ConfigureAwait(false);
            _lease = fresh is null ? null : await leases.UpdateAsync(Renewed(fresh, renewTime), cancellationToken).ConfigureAwait(false);
        }
    }

    private V1Lease NewLease(V1Node? owner, DateTime renewTime) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta
        {
            Name = _nodeName,
            NamespaceProperty = Namespace,
            // Owned by the Node, so deleting the Node garbage-collects its Lease, as the kubelet's lease controller sets it.
            OwnerReferences = owner is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = _nodeName, Uid = owner.Uid() }],
        },
        Spec = new V1LeaseSpec { HolderIdentity = _nodeName, LeaseDurationSeconds = _durationSeconds, RenewTime = renewTime },
    };

    private V1Lease Renewed(V1Lease lease, DateTime renewTime)
    {
        var copy = ObjectCopy.DeepCopy(lease);
        copy.Spec ??= new V1LeaseSpec();
        copy.Spec.HolderIdentity = _nodeName;
        copy.Spec.LeaseDurationSeconds = _durationSeconds;
        copy.Spec.RenewTime = renewTime;
        return copy;
    }
}
