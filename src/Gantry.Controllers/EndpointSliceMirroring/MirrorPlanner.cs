using System.Net;
using System.Net.Sockets;
using Gantry.Controllers.EndpointSlice;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.EndpointSliceMirroring;

/// <summary>
/// Kubernetes' endpointslicemirroring reconciler: the EndpointSlices a user's Endpoints object stands for. Addresses are
/// grouped by subset port set and address family (at most <c>maxEndpointsPerSubset</c> per subset, invalid IPs
/// skipped); each group keeps one slice (the first existing one, updated only when its endpoints differ; any others
/// deleted), slices of groups no longer wanted are deleted, and a slice to delete is reused for one to create.
/// </summary>
internal sealed class MirrorPlanner(V1Endpoints endpoints, int maxEndpointsPerSubset)
{
    /// <summary>What the Endpoints asked for that could not be mirrored.</summary>
    public sealed record Skipped(int InvalidAddresses, int OverLimit);

    private sealed record Group(string AddressType, List<Discoveryv1EndpointPort> Ports, Dictionary<string, V1Endpoint> Endpoints);

    /// <summary>Plans the writes turning <paramref name="existing"/> (the slices mirrored so far) into the Endpoints' addresses.</summary>
    public SlicePlan Plan(IReadOnlyList<V1EndpointSlice> existing, out Skipped skipped)
    {
        var desired = Desired(out skipped);
        var plan = new SlicePlan([], [], []);
        var byKey = existing.GroupBy(s => Key(s.AddressType, s.Ports)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (key, group) in desired)
        {
            var current = byKey.GetValueOrDefault(key) ?? [];
            if (group.Endpoints.Count == 0)
            {
                plan.Delete.AddRange(current);
                continue;
            }
            plan.Delete.AddRange(current.Skip(1));
            if (current.Count > 0 && SameEndpoints(current[0], group.Endpoints)) continue;
            var slice = NewSlice(group, current.FirstOrDefault());
            (slice.Metadata.Name is null ? plan.Create : plan.Update).Add(slice);
        }
        foreach (var (key, slices) in byKey)
            if (!desired.ContainsKey(key)) plan.Delete.AddRange(slices);
        Recycle(plan);
        return plan;
    }

    private Dictionary<string, Group> Desired(out Skipped skipped)
    {
        var desired = new Dictionary<string, Group>(StringComparer.Ordinal);
        var invalid = 0;
        var overLimit = 0;
        foreach (var subset in endpoints.Subsets ?? [])
        {
            var ports = (subset.Ports ?? []).Select(p => new Discoveryv1EndpointPort { Name = p.Name ?? "", Port = p.Port, Protocol = p.Protocol ?? "TCP", AppProtocol = p.AppProtocol }).ToList();
            foreach (var family in new[] { "IPv4", "IPv6" })
                desired.TryAdd(Key(family, ports), new Group(family, ports, new Dictionary<string, V1Endpoint>(StringComparer.Ordinal)));
            var added = 0;
            var addresses = (subset.Addresses ?? []).Select(a => (Address: a, Ready: true)).Concat((subset.NotReadyAddresses ?? []).Select(a => (Address: a, Ready: false)));
            foreach (var (address, ready) in addresses)
            {
                if (added >= maxEndpointsPerSubset)
                {
                    overLimit++;
                    continue;
                }
                if (!IPAddress.TryParse(address.Ip, out var ip))
                {
                    invalid++;
                    continue;
                }
                var family = ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
                // The address is written back in its canonical form, as upstream re-stringifies it.
                var canonical = ip.ToString();
                desired[Key(family, ports)].Endpoints[canonical] = new V1Endpoint
                {
                    Addresses = [canonical],
                    Conditions = new V1EndpointConditions { Ready = ready },
                    TargetRef = address.TargetRef,
                    NodeName = address.NodeName,
                    Hostname = string.IsNullOrEmpty(address.Hostname) ? null : address.Hostname,
                };
                added++;
            }
        }
        skipped = new Skipped(invalid, overLimit);
        return desired;
    }

    private V1EndpointSlice NewSlice(Group group, V1EndpointSlice? reuse)
    {
        var labels = new Dictionary<string, string>(endpoints.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [EndpointSliceController.ServiceNameLabel] = endpoints.Metadata.Name,
            [EndpointSliceController.ManagedByLabel] = EndpointSliceMirroringController.ControllerName,
        };
        var annotations = (endpoints.Metadata.Annotations ?? new Dictionary<string, string>())
            .Where(a => a.Key is not (Endpoints.EndpointRules.LastChangeTriggerTime or LastAppliedConfiguration))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return new V1EndpointSlice
        {
            ApiVersion = "discovery.k8s.io/v1",
            Kind = "EndpointSlice",
            Metadata = new V1ObjectMeta
            {
                Name = reuse?.Metadata.Name,
                GenerateName = reuse is null ? endpoints.Metadata.Name + "-" : null,
                NamespaceProperty = endpoints.Metadata.NamespaceProperty,
                ResourceVersion = reuse?.Metadata.ResourceVersion,
                Labels = labels,
                Annotations = annotations,
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = "v1", Kind = "Endpoints", Name = endpoints.Metadata.Name, Uid = endpoints.Metadata.Uid, Controller = true, BlockOwnerDeletion = true },
                ],
            },
            AddressType = group.AddressType,
            Ports = group.Ports,
            Endpoints = [.. group.Endpoints.Values],
        };
    }

    private const string LastAppliedConfiguration = "kubectl.kubernetes.io/last-applied-configuration";

    private static string Key(string addressType, IEnumerable<Discoveryv1EndpointPort>? ports) => $"{addressType}|{SliceKeys.PortsKey(ports)}";

    /// <summary>Whether a slice already holds exactly these endpoints (conditions, node, hostname and target included).</summary>
    private static bool SameEndpoints(V1EndpointSlice slice, Dictionary<string, V1Endpoint> wanted)
    {
        var current = slice.Endpoints ?? [];
        return current.Count == wanted.Count && current.All(e =>
            e.Addresses is [var address] && wanted.TryGetValue(address, out var want)
            && KubernetesJson.Serialize(e) == KubernetesJson.Serialize(want));
    }

    /// <summary>A slice to delete becomes the update of one to create of the same address type (recycleSlices).</summary>
    private static void Recycle(SlicePlan plan)
    {
        foreach (var created in plan.Create.ToList())
        {
            var old = plan.Delete.FirstOrDefault(d => d.AddressType == created.AddressType);
            if (old is null) continue;
            plan.Create.Remove(created);
            plan.Delete.Remove(old);
            created.Metadata.Name = old.Metadata.Name;
            created.Metadata.GenerateName = null;
            created.Metadata.ResourceVersion = old.Metadata.ResourceVersion;
            plan.Update.Add(created);
        }
    }
}
