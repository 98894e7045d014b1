using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Controllers.NodeLifecycle;

/// <summary>The pods-by-node index both node controllers read (added once to the shared pod informer).</summary>
internal static class PodsByNode
{
    public const string Index = "spec.nodeName";

    public static void EnsureIndex(Informer<V1Pod> pods)
    {
        if (!pods.Cache.HasIndexer(Index))
            pods.AddIndexer(Index, p => string.IsNullOrEmpty(p.Spec?.NodeName) ? [] : [p.Spec.NodeName]);
    }

    public static IReadOnlyList<V1Pod> On(Informer<V1Pod> pods, string nodeName) => pods.ByIndex(Index, nodeName);
}
