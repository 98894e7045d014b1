using Gantry.Scheduler.Cache;

namespace Gantry.Scheduler.Framework;

/// <summary>
/// Runs a per-node aggregation of a PreFilter / PreScore over many nodes in parallel (kube-scheduler's parallelizer):
/// each worker fills its own partial result, merged one at a time at the end.
/// </summary>
internal static class NodeParallel
{
    // Below this many nodes the work is too small to be worth spreading over threads.
    private const int SequentialBelow = 512;

    /// <summary>Calls <paramref name="body"/> for every node with a worker-local partial, then <paramref name="merge"/> for each partial.</summary>
    public static void Aggregate<TPartial>(IReadOnlyList<NodeInfo> nodes, int parallelism, Func<TPartial> create,
        Action<NodeInfo, TPartial> body, Action<TPartial> merge)
    {
        if (nodes.Count < SequentialBelow || parallelism <= 1)
        {
            var partial = create();
            foreach (var node in nodes) body(node, partial);
            merge(partial);
            return;
        }
        var gate = new Lock();
        Parallel.For(0, nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, create,
            (i, _, partial) =>
            {
                body(nodes[i], partial);
                return partial;
            },
            partial =>
            {
                lock (gate) merge(partial);
            });
    }
}
