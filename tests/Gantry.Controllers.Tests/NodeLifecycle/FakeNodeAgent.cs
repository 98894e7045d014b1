using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.Tests.NodeLifecycle;

/// <summary>
/// Plays a node agent: registers a node with a Ready condition, renews its Lease in kube-node-lease every 100 ms until
/// stopped, and posts Ready status on demand.
/// </summary>
internal sealed class FakeNodeAgent : IAsyncDisposable
{
    private readonly IApiClient _client;
    private CancellationTokenSource? _renewing;
    private Task _loop = Task.CompletedTask;

    private FakeNodeAgent(IApiClient client, string name)
    {
        _client = client;
        Name = name;
    }

    public string Name { get; }

    public static async Task<FakeNodeAgent> StartAsync(IApiClient client, string name, bool unschedulable = false)
    {
        var agent = new FakeNodeAgent(client, name);
        await client.For<V1Node>().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec { Unschedulable = unschedulable },
            Status = new V1NodeStatus { Conditions = [Condition("Ready", "True", "KubeletReady"), Condition("MemoryPressure", "False", "KubeletHasSufficientMemory")] },
        });
        await client.For<V1Lease>().CreateAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "kube-node-lease" },
            Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = 40, RenewTime = DateTime.UtcNow },
        });
        agent.ResumeLease();
        return agent;
    }

    /// <summary>Renews the lease in the background (again).</summary>
    public void ResumeLease()
    {
        _renewing = new CancellationTokenSource();
        var token = _renewing.Token;
        _loop = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var lease = await _client.For<V1Lease>().GetAsync("kube-node-lease", Name, token);
                    if (lease is not null)
                    {
                        lease.Spec.RenewTime = DateTime.UtcNow;
                        await _client.For<V1Lease>().UpdateAsync(lease, token);
                    }
                    await Task.Delay(100, token);
                }
                catch (OperationCanceledException) { return; }
                catch (ConflictException) { }
            }
        });
    }

    /// <summary>Stops renewing the lease (the agent died).</summary>
    public async Task StopLeaseAsync()
    {
        if (_renewing is null) return;
        await _renewing.CancelAsync();
        await _loop;
        _renewing.Dispose();
        _renewing = null;
    }

    /// <summary>Posts the Ready condition with a fresh heartbeat.</summary>
    public async Task PostReadyAsync(bool ready)
    {
        for (var attempt = 0; ; attempt++)
        {
            var node = await _client.For<V1Node>().GetAsync(null, Name) ?? throw new InvalidOperationException("node vanished");
            var conditions = node.Status.Conditions.Where(c => c.Type != "Ready").ToList();
            var old = node.Status.Conditions.FirstOrDefault(c => c.Type == "Ready");
            var status = ready ? "True" : "False";
            var fresh = Condition("Ready", status, ready ? "KubeletReady" : "KubeletNotReady");
            if (old?.Status == status) fresh.LastTransitionTime = old.LastTransitionTime;
            conditions.Add(fresh);
            node.Status.Conditions = conditions;
            try
            {
                await _client.For<V1Node>().UpdateStatusAsync(node);
                return;
            }
            catch (ConflictException) when (attempt < 10)
            {
            }
        }
    }

    private static V1NodeCondition Condition(string type, string status, string reason) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = reason,
        LastHeartbeatTime = DateTime.UtcNow,
        LastTransitionTime = DateTime.UtcNow,
    };

    public async ValueTask DisposeAsync() => await StopLeaseAsync();
}
