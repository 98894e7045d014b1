using k8s;
using k8s.Models;

namespace Gantry.Controllers.EndpointSlice;

/// <summary>
/// Kubernetes' endpointslice reconciler for one service and address type, which keeps churn low: existing slices keep
/// the endpoints still wanted (changed ones replaced in place) and lose the others; remaining endpoints first fill the
/// slices being updated anyway, then the unchanged slice they fit best, then new slices of at most the maximum size.
/// Slices whose port set nobody uses any more are deleted; a service without endpoints keeps one empty placeholder.
/// </summary>
internal sealed class SliceReconciler(V1Service service, string addressType, int maxEndpointsPerSlice, IDictionary<string, string> labels)
{
    /// <summary>Desired endpoints of one port set.</summary>
    public sealed record Group(IList<Discoveryv1EndpointPort> Ports, List<V1Endpoint> Endpoints);

    /// <summary>Plans the writes turning <paramref name="existing"/> into <paramref name="desired"/> (keyed by port set).</summary>
    public SlicePlan Reconcile(IReadOnlyList<V1EndpointSlice> existing, IReadOnlyDictionary<string, Group> desired)
    {
        var plan = new SlicePlan([], [], []);
        // Slices of another address type, or left by an earlier Service of the same name, are no longer wanted.
        foreach (var slice in existing.Where(s => !Usable(s))) plan.Delete.Add(slice);
        var byPorts = existing.Where(Usable).GroupBy(s => SliceKeys.PortsKey(s.Ports)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (key, group) in desired)
            ReconcilePortSet(byPorts.GetValueOrDefault(key) ?? [], group, plan);
        foreach (var (key, slices) in byPorts)
            if (!desired.ContainsKey(key)) plan.Delete.AddRange(slices);

        if (existing.Count == plan.Delete.Count && plan.Create.Count == 0)
        {
            // Nothing would remain: keep (or make) one empty placeholder slice.
            var placeholder = plan.Delete.FirstOrDefault(s => Usable(s) && s.Endpoints is not { Count: > 0 } && s.Ports is not { Count: > 0 });
            if (plan.Delete.Count == 1 && placeholder is not null) plan.Delete.Clear();
            else plan.Create.Add(NewSlice([]));
        }

        // A slice about to be deleted is reused for one to be created (fewer objects churned).
        for (var i = 0; i < plan.Delete.Count && plan.Create.Count > 0;)
        {
            var old = plan.Delete[i];
            if (!Usable(old))
            {
                i++;
                continue;
            }
            var reused = plan.Create[^1];
            plan.Create.RemoveAt(plan.Create.Count - 1);
            reused.Metadata.Name = old.Metadata.Name;
            reused.Metadata.GenerateName = null;
            reused.Metadata.Uid = old.Metadata.Uid;
            plan.Update.Add(reused);
            plan.Delete.RemoveAt(i);
        }
        return plan;
    }

    private bool Usable(V1EndpointSlice slice) =>
        slice.AddressType == addressType && slice.Metadata.OwnerReferences?.Any(o => o.Uid == service.Metadata.Uid) == true;

    private void ReconcilePortSet(List<V1EndpointSlice> slices, Group group, SlicePlan plan)
    {
        var wanted = new Dictionary<string, V1Endpoint>(StringComparer.Ordinal);
        foreach (var endpoint in group.Endpoints) wanted.TryAdd(SliceKeys.EndpointKey(endpoint), endpoint);
        var updating = new List<V1EndpointSlice>();
        var unchanged = new List<V1EndpointSlice>();
        foreach (var slice in slices)
        {
            var kept = new List<V1Endpoint>();
            var changed = false;
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (!wanted.Remove(SliceKeys.EndpointKey(endpoint), out var want)) continue;
                if (KubernetesJson.Serialize(want) != KubernetesJson.Serialize(endpoint)) changed = true;
                kept.Add(want);
            }
            var labelsChanged = !SliceKeys.SameLabels(slice.Metadata.Labels, labels);
            if (changed || kept.Count != (slice.Endpoints?.Count ?? 0) || labelsChanged)
            {
                if (kept.Count == 0)
                {
                    plan.Delete.Add(slice);
                    continue;
                }
                var copy = Gantry.Client.ObjectCopy.DeepCopy(slice);
                copy.Endpoints = kept;
                copy.Metadata.Labels = new Dictionary<string, string>(labels);
                updating.Add(copy);
            }
            else unchanged.Add(slice);
        }

        var remaining = new Queue<V1Endpoint>(wanted.Values);
        // 1. Slices being written anyway take what they can.
        foreach (var slice in updating)
            while (remaining.Count > 0 && slice.Endpoints.Count < maxEndpointsPerSlice) slice.Endpoints.Add(remaining.Dequeue());
        plan.Update.AddRange(updating);

        // 2. What is left goes into the unchanged slice it fits best, else into new slices.
        while (remaining.Count > 0)
        {
            V1EndpointSlice? fill = null;
            if (remaining.Count < maxEndpointsPerSlice)
            {
                var best = BestFit(unchanged, remaining.Count);
                if (best is not null)
                {
                    unchanged.Remove(best);
                    fill = Gantry.Client.ObjectCopy.DeepCopy(best);
                    fill.Endpoints ??= [];
                    plan.Update.Add(fill);
                }
            }
            if (fill is null)
            {
                fill = NewSlice(group.Ports);
                plan.Create.Add(fill);
            }
            while (remaining.Count > 0 && fill.Endpoints.Count < maxEndpointsPerSlice) fill.Endpoints.Add(remaining.Dequeue());
        }
    }

    /// <summary>The unchanged slice left with the least free room after taking <paramref name="count"/> endpoints.</summary>
    private V1EndpointSlice? BestFit(List<V1EndpointSlice> unchanged, int count)
    {
        V1EndpointSlice? best = null;
        var bestRoom = maxEndpointsPerSlice;
        foreach (var slice in unchanged)
        {
            var room = maxEndpointsPerSlice - (count + (slice.Endpoints?.Count ?? 0));
            if (room < 0 || room >= bestRoom) continue;
            best = slice;
            bestRoom = room;
            if (room == 0) break;
        }
        return best;
    }

    private V1EndpointSlice NewSlice(IList<Discoveryv1EndpointPort> ports) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            GenerateName = service.Metadata.Name + "-",
            NamespaceProperty = service.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string>(labels),
            OwnerReferences =
            [
                new V1OwnerReference
                {
                    ApiVersion = "v1", Kind = "Service", Name = service.Metadata.Name, Uid = service.Metadata.Uid, Controller = true, BlockOwnerDeletion = true,
                },
            ],
        },
        AddressType = addressType,
        Endpoints = [],
        Ports = ports.ToList(),
    };
}
