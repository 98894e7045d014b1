using System.Net;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Storage;
using Microsoft.Extensions.Logging;

namespace Gantry.ApiServer.Services;

/// <summary>
/// Cluster IP and node port allocation of Services, as Kubernetes' service registry does it on create, update and
/// delete. The used sets live in memory and are rebuilt from the stored Services at start (no allocator object is
/// persisted); a value is reserved before the store write and given back if the write fails, so concurrent creates
/// never share an address or port.
/// </summary>
internal sealed partial class ServiceAllocator(ClusterIpRange ips, NodePortRange ports, ILogger logger)
{
    /// <summary>The cluster IP range.</summary>
    public ClusterIpRange Ips { get; } = ips;

    /// <summary>The node port range.</summary>
    public NodePortRange Ports { get; } = ports;

    /// <summary>Whether <paramref name="def"/> is core/v1 services.</summary>
    public static bool Handles(ResourceDefinition def) => def.Group.Length == 0 && def.Plural == "services";

    /// <summary>Kubernetes' repair interval of the cluster IP and node port allocators.</summary>
    public static readonly TimeSpan RepairInterval = TimeSpan.FromMinutes(3);

    // Kubernetes' numRepairsBeforeLeakCleanup: a value held by no Service is freed only after this many repairs, so a
    // reservation whose store write is still in flight is never taken for a leak.
    private const int RepairsBeforeLeakCleanup = 3;

    private readonly Dictionary<string, int> _leaks = new(StringComparer.Ordinal);

    /// <summary>
    /// Marks every address and port the stored Services hold as used (at start, before serving, and then as
    /// Kubernetes' repair loop: values another API server on the same store allocated become known here) and frees
    /// values no stored Service has held for <see cref="RepairsBeforeLeakCleanup"/> passes. Values two Services hold
    /// are logged, as upstream's repair reports them.
    /// </summary>
    public async Task RepairAsync(IStore store, ResourceDefinition services, CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(services.KeyPrefix, ListRequest.All, cancellationToken).ConfigureAwait(false);
        var heldIps = new Dictionary<string, string>(StringComparer.Ordinal);
        var heldPorts = new Dictionary<int, string>();
        foreach (var item in list.Items)
        {
            if (JsonNode.Parse(item.Value.Span) is not JsonObject service || service["spec"] is not JsonObject spec) continue;
            var name = $"{service["metadata"]?["namespace"]}/{service["metadata"]?["name"]}";
            if (ServiceSpec.NeedsClusterIp(spec))
                foreach (var text in ServiceSpec.ClusterIps(spec))
                {
                    if (!IPAddress.TryParse(text, out var ip)) continue;
                    if (heldIps.TryAdd(ip.ToString(), name)) Ips.Allocate(ip);
                    else LogDuplicate(logger, text, heldIps[ip.ToString()], name);
                }
            foreach (var port in ServiceSpec.HeldPorts(spec))
            {
                if (heldPorts.TryAdd(port, name)) Ports.Allocate(port);
                else LogDuplicate(logger, ServiceSpec.Text(port), heldPorts[port], name);
            }
        }
        lock (_leaks)
        {
            var suspects = new HashSet<string>(StringComparer.Ordinal);
            foreach (var ip in Ips.UsedAddresses())
                if (!heldIps.ContainsKey(ip.ToString()) && Leaked("ip:" + ip, suspects)) Ips.Release(ip);
            foreach (var port in Ports.UsedPorts())
                if (!heldPorts.ContainsKey(port) && Leaked("port:" + ServiceSpec.Text(port), suspects)) Ports.Release(port);
            foreach (var key in _leaks.Keys.Where(k => !suspects.Contains(k)).ToList()) _leaks.Remove(key);
        }
    }

    /// <summary>Repairs every <see cref="RepairInterval"/> until cancelled.</summary>
    public async Task RunRepairsAsync(IStore store, ResourceDefinition services, TimeProvider time, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RepairInterval, time, cancellationToken).ConfigureAwait(false);
                await RepairAsync(store, services, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreException ex)
            {
                LogRepairFailed(logger, ex);
            }
        }
    }

    private bool Leaked(string key, HashSet<string> suspects)
    {
        suspects.Add(key);
        var seen = _leaks.GetValueOrDefault(key) + 1;
        if (seen < RepairsBeforeLeakCleanup)
        {
            _leaks[key] = seen;
            return false;
        }
        _leaks.Remove(key);
        suspects.Remove(key);
        return true;
    }

    /// <summary>Reserves what a new Service needs (filling clusterIP(s), ipFamilies, nodePorts); throws the Kubernetes errors.</summary>
    public ServiceAllocation BeginCreate(JsonObject service)
    {
        var spec = ServiceSpec.Of(service);
        var name = Name(service);
        var allocation = new ServiceAllocation(Ips, Ports);
        try
        {
            ServiceFieldRules.InitIpFamilies(spec, name);
            if (ServiceSpec.NeedsClusterIp(spec)) AllocateClusterIp(spec, name, allocation);
            if (ServiceSpec.NeedsNodePort(spec)) InitNodePorts(spec, name, allocation);
            if (ServiceSpec.NeedsHealthCheckNodePort(spec)) AllocateHealthCheckNodePort(spec, name, 0, allocation);
            return allocation;
        }
        catch
        {
            allocation.Revert();
            throw;
        }
    }

    /// <summary>
    /// Restores allocated values the update left out, drops fields of the old type, reserves what the new type needs
    /// and notes what the old object held that the new one does not (released on commit).
    /// </summary>
    public ServiceAllocation BeginUpdate(JsonObject service, JsonObject old)
    {
        var spec = ServiceSpec.Of(service);
        var oldSpec = ServiceSpec.Of(old);
        var name = Name(service);
        ServiceFieldRules.NormalizeClusterIps(spec, oldSpec);
        ServiceFieldRules.PatchAllocatedValues(spec, oldSpec);
        ServiceFieldRules.DropTypeDependentFields(spec, oldSpec);
        var allocation = new ServiceAllocation(Ips, Ports);
        try
        {
            if (ServiceSpec.NeedsClusterIp(spec) && !ServiceSpec.NeedsClusterIp(oldSpec))
            {
                ServiceFieldRules.InitIpFamilies(spec, name);
                AllocateClusterIp(spec, name, allocation);
            }
            var oldIps = ServiceSpec.NeedsClusterIp(oldSpec) ? ServiceSpec.ClusterIps(oldSpec) : [];
            var newIps = ServiceSpec.NeedsClusterIp(spec) ? ServiceSpec.ClusterIps(spec) : [];
            foreach (var text in oldIps.Except(newIps))
                if (IPAddress.TryParse(text, out var ip)) allocation.Freed(ip);

            var oldHeld = ServiceSpec.HeldPorts(oldSpec);
            if (ServiceSpec.NeedsNodePort(spec)) UpdateNodePorts(spec, name, oldHeld, allocation);
            if (ServiceSpec.NeedsHealthCheckNodePort(spec))
            {
                var oldHc = ServiceSpec.NeedsHealthCheckNodePort(oldSpec) ? ServiceSpec.Int(oldSpec, "healthCheckNodePort") : 0;
                AllocateHealthCheckNodePort(spec, name, oldHc, allocation);
            }
            foreach (var port in oldHeld.Except(ServiceSpec.HeldPorts(spec))) allocation.Freed(port);
            return allocation;
        }
        catch
        {
            allocation.Revert();
            throw;
        }
    }

    /// <summary>Gives back everything a deleted Service held.</summary>
    public void Release(JsonObject service)
    {
        if (service["spec"] is not JsonObject spec) return;
        if (ServiceSpec.NeedsClusterIp(spec))
            foreach (var text in ServiceSpec.ClusterIps(spec))
                if (IPAddress.TryParse(text, out var ip)) Ips.Release(ip);
        foreach (var port in ServiceSpec.HeldPorts(spec)) Ports.Release(port);
    }

    private void AllocateClusterIp(JsonObject spec, string name, ServiceAllocation allocation)
    {
        var requested = ServiceSpec.ClusterIps(spec).FirstOrDefault() ?? "";
        if (requested == "None")
        {
            spec["clusterIP"] = "None";
            spec["clusterIPs"] = new JsonArray("None");
            return;
        }
        if (requested.Length == 0)
        {
            var ip = Ips.AllocateNext() ?? throw Internal("failed to allocate a serviceIP: range is full");
            allocation.Reserved(ip);
            ServiceSpec.SetClusterIp(spec, ip.ToString());
            return;
        }
        var address = IPAddress.Parse(requested);
        if (Ips.Allocate(address) is { } error)
        {
            throw ApiException.Invalid("", "Service", name,
                [FieldError.InvalidRaw("spec.clusterIPs", Api.Validation.GoValue.StringSlice(spec["clusterIPs"] as JsonArray ?? new JsonArray(requested)),
                    $"failed to allocate IP {requested}: {error}")]);
        }
        allocation.Reserved(address);
        ServiceSpec.SetClusterIp(spec, requested);
    }

    /// <summary>Kubernetes' initNodePorts: ports sharing a port number (TCP and UDP) share one node port.</summary>
    private void InitNodePorts(JsonObject spec, string name, ServiceAllocation allocation)
    {
        var ports = ServiceSpec.Ports(spec).ToList();
        var byServicePort = new Dictionary<int, int>();
        var claimed = new HashSet<int>();
        foreach (var (i, port) in ports)
        {
            var nodePort = ServiceSpec.Int(port, "nodePort");
            if (nodePort == 0 && !ServiceSpec.ShouldAllocateNodePorts(spec)) continue;
            var servicePort = ServiceSpec.Int(port, "port");
            byServicePort.TryGetValue(servicePort, out var shared);
            if (shared == 0)
            {
                var requested = nodePort != 0 ? nodePort
                    : ports.Select(p => p.Port).Where(p => ServiceSpec.Int(p, "port") == servicePort).Select(p => ServiceSpec.Int(p, "nodePort")).FirstOrDefault(n => n != 0);
                var chosen = requested != 0 ? Claim(requested, i, name, claimed, allocation) : Next(allocation);
                port["nodePort"] = chosen;
                byServicePort[servicePort] = chosen;
            }
            else if (nodePort == 0) port["nodePort"] = shared;
            else if (nodePort != shared) Claim(nodePort, i, name, claimed, allocation);
        }
    }

    /// <summary>Kubernetes' updateNodePorts: new explicit ports are reserved, missing ones drawn; the old ones stay held.</summary>
    private void UpdateNodePorts(JsonObject spec, string name, HashSet<int> held, ServiceAllocation allocation)
    {
        var claimed = new HashSet<int>(held);
        foreach (var (i, port) in ServiceSpec.Ports(spec))
        {
            var nodePort = ServiceSpec.Int(port, "nodePort");
            if (nodePort == 0 && !ServiceSpec.ShouldAllocateNodePorts(spec)) continue;
            if (nodePort != 0) Claim(nodePort, i, name, claimed, allocation);
            else port["nodePort"] = Next(allocation);
        }
    }

    private void AllocateHealthCheckNodePort(JsonObject spec, string name, int held, ServiceAllocation allocation)
    {
        var requested = ServiceSpec.Int(spec, "healthCheckNodePort");
        if (requested != 0 && requested == held) return;
        if (requested == 0)
        {
            var port = Ports.AllocateNext() ?? throw Internal("failed to allocate a HealthCheck NodePort 0: range is full");
            allocation.Reserved(port);
            spec["healthCheckNodePort"] = port;
            return;
        }
        if (Ports.Allocate(requested) is { } error)
            throw ApiException.Invalid("", "Service", name,
                [FieldError.Invalid("spec.healthCheckNodePort", requested, $"failed to allocate requested HealthCheck NodePort {requested}: {error}")]);
        allocation.Reserved(requested);
    }

    private int Claim(int nodePort, int index, string name, HashSet<int> claimed, ServiceAllocation allocation)
    {
        if (!claimed.Add(nodePort)) return nodePort;
        if (Ports.Allocate(nodePort) is { } error)
            throw ApiException.Invalid("", "Service", name, [FieldError.Invalid($"spec.ports[{index}].nodePort", nodePort, error)]);
        allocation.Reserved(nodePort);
        return nodePort;
    }

    private int Next(ServiceAllocation allocation)
    {
        var port = Ports.AllocateNext() ?? throw Internal("failed to allocate a nodePort: range is full");
        allocation.Reserved(port);
        return port;
    }

    private static string Name(JsonObject service) => service["metadata"]?["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static ApiException Internal(string message) => new(500, "InternalError", $"Internal error occurred: {message}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Value} is allocated to more than one service ({First} and {Second})")]
    private static partial void LogDuplicate(ILogger logger, string value, string first, string second);

    [LoggerMessage(Level = LogLevel.Warning, Message = "repairing the service allocations failed")]
    private static partial void LogRepairFailed(ILogger logger, Exception exception);
}
