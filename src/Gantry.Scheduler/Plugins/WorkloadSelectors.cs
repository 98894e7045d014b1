using Gantry.Client.Informers;
using Gantry.Scheduler.Cache;
using k8s.Models;

namespace Gantry.Scheduler.Plugins;

/// <summary>
/// kube-scheduler's DefaultSelector: what the default spread constraints count for a pod. The selectors of the Services
/// in its namespace that select it are merged; a controlling ReplicationController adds its selector, a controlling
/// ReplicaSet or StatefulSet adds its selector's requirements. Empty when nothing selects the pod (no defaults apply).
/// </summary>
internal sealed class WorkloadSelectors(Informer<V1Service> services, Informer<V1ReplicationController> controllers,
    Informer<V1ReplicaSet> replicaSets, Informer<V1StatefulSet> statefulSets)
{
    /// <summary>The default selector of <paramref name="pod"/>.</summary>
    public LabelMatcher For(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var podLabels = pod.Metadata.Labels;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services.List(ns))
        {
            // A Service without a selector selects nothing, not everything.
            var selector = service.Spec?.Selector;
            if (selector is null || !Selects(selector, podLabels)) continue;
            foreach (var (k, v) in selector) labels[k] = v;
        }
        var expressions = new List<V1LabelSelectorRequirement>();
        var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        switch (owner?.ApiVersion, owner?.Kind)
        {
            case ("v1", "ReplicationController"):
                if (controllers.Get(ns, owner.Name)?.Spec?.Selector is { } rc) foreach (var (k, v) in rc) labels[k] = v;
                break;
            case ("apps/v1", "ReplicaSet"):
                AddRequirements(replicaSets.Get(ns, owner.Name)?.Spec?.Selector, expressions);
                break;
            case ("apps/v1", "StatefulSet"):
                AddRequirements(statefulSets.Get(ns, owner.Name)?.Spec?.Selector, expressions);
                break;
        }
        return labels.Count == 0 && expressions.Count == 0
            ? LabelMatcher.Everything
            : LabelMatcher.From(new V1LabelSelector { MatchLabels = labels, MatchExpressions = expressions });
    }

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string>? labels)
    {
        foreach (var (k, v) in selector)
        {
            if (labels is null || !labels.TryGetValue(k, out var actual) || actual != v) return false;
        }
        return true;
    }

    // A workload selector that does not parse, or selects nothing, adds no requirement (as LabelSelectorAsSelector's
    // error or a Nothing selector's missing requirements do upstream).
    private static void AddRequirements(V1LabelSelector? selector, List<V1LabelSelectorRequirement> expressions)
    {
        if (selector is null || LabelMatcher.From(selector) == LabelMatcher.Nothing) return;
        foreach (var (k, v) in selector.MatchLabels ?? new Dictionary<string, string>())
            expressions.Add(new V1LabelSelectorRequirement { Key = k, OperatorProperty = "In", Values = [v] });
        foreach (var r in selector.MatchExpressions ?? []) expressions.Add(r);
    }
}
