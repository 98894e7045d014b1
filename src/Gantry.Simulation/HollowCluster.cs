using Gantry.Client;
using Microsoft.Extensions.Logging;

namespace Gantry.Simulation;

/// <summary>N hollow nodes over one client, named <c>{prefix}{i}</c> with i = 0..N-1 (kubemark's hollow-node pool).</summary>
public sealed class HollowCluster
{
    /// <summary>
    /// Prepares <paramref name="count"/> nodes from <paramref name="template"/>, whose <see cref="HollowNodeOptions.Name"/> is
    /// the name prefix; node i gets that prefix plus i as its name and i as its <see cref="HollowNodeOptions.Index"/>.
    /// </summary>
    public HollowCluster(IApiClient client, int count, HollowNodeOptions template, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Nodes = Enumerable.Range(0, count)
            .Select(i => new HollowNode(client, template with { Name = $"{template.Name}{i}", Index = i }, time, loggers))
            .ToList();
    }

    /// <summary>The nodes, in index order.</summary>
    public IReadOnlyList<HollowNode> Nodes { get; }

    /// <summary>Runs every node until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(Nodes.Select(n => n.RunAsync(cancellationToken)));

    /// <summary>Completes once every node is registered.</summary>
    public Task WaitForRegistrationAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(Nodes.Select(n => n.WaitForRegistrationAsync(cancellationToken)));
}
