using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Node.Network.Proxy;

namespace Gantry.Node.Network.Overlay;

/// <summary>
/// The overlay's kernel side through iproute2 (<c>ip</c>, <c>bridge</c>, JSON output) and <c>nft</c>, in the
/// agent's network namespace or a named one. Changes go in batches: one process per kind of change, not per entry.
/// </summary>
internal sealed class OverlayKernel(string? networkNamespace, NftTool nft, string vxlanDevice)
{
    private static readonly string Proto = OverlayNames.RouteProtocol.ToString(CultureInfo.InvariantCulture);

    /// <summary>The kernel side of an overlay, or a failure naming the Debian package of a missing tool.</summary>
    public static OverlayKernel Create(string? networkNamespace, string vxlanDevice)
    {
        foreach (var tool in new[] { "ip", "bridge" })
        {
            if (!Directories().Any(d => File.Exists(Path.Combine(d, tool))))
                throw new InvalidOperationException($"{tool} not found: the overlay network needs iproute2 (install the Debian package iproute2)");
        }
        string nftPath;
        try { nftPath = NftTool.Locate(); }
        catch (InvalidOperationException) { throw new InvalidOperationException("nft not found: the overlay network needs nftables (install the Debian package nftables)"); }
        return new OverlayKernel(networkNamespace, new NftTool(nftPath, networkNamespace), vxlanDevice);
    }

    private static IEnumerable<string> Directories() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);

    /// <summary>The interface holding <paramref name="address"/>, with its MTU.</summary>
    public async Task<OverlayUplink> FindUplinkAsync(IPAddress address, CancellationToken cancellationToken)
    {
        using var links = await JsonAsync("ip", ["-4", "addr", "show"], cancellationToken).ConfigureAwait(false);
        foreach (var link in links.RootElement.EnumerateArray())
        {
            if (!link.TryGetProperty("addr_info", out var addresses)) continue;
            if (addresses.EnumerateArray().Any(a => a.TryGetProperty("local", out var local) && local.GetString() == address.ToString()))
                return new OverlayUplink(link.GetProperty("ifname").GetString()!, link.GetProperty("mtu").GetInt32(), address);
        }
        throw new InvalidOperationException($"the node IP {address} is not an address of any interface{Where}: pass --node-ip with one of this node's addresses");
    }

    /// <summary>Turns on IPv4 forwarding (pods' packets are routed between the bridge, the uplink and the VXLAN device).</summary>
    public async Task EnableForwardingAsync(CancellationToken cancellationToken)
    {
        if (await nft.ReadSysctlAsync("net.ipv4.ip_forward", cancellationToken).ConfigureAwait(false) != "1")
            await nft.WriteSysctlAsync("net.ipv4.ip_forward", "1", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the VXLAN device exist as configured (VNI, local address, port, uplink, MAC, no learning), up, with an MTU
    /// 50 bytes below the uplink's (the VXLAN, UDP, IP and inner Ethernet headers). An existing device that differs is
    /// recreated, as flannel does; one that matches is kept, with its routes and entries. True when it was (re)created.
    /// </summary>
    public async Task<bool> EnsureVxlanAsync(OverlayOptions options, OverlayUplink uplink, string mac, CancellationToken cancellationToken)
    {
        var device = vxlanDevice;
        var existing = await RunAsync("ip", ["-d", "-j", "link", "show", "dev", device], null, cancellationToken).ConfigureAwait(false);
        if (existing.Succeeded)
        {
            using var json = JsonDocument.Parse(existing.Output);
            if (Matches(json.RootElement[0], options, uplink, mac))
            {
                await CheckedAsync("ip", ["link", "set", "dev", device, "up"], cancellationToken).ConfigureAwait(false);
                return false;
            }
            await CheckedAsync("ip", ["link", "delete", "dev", device], cancellationToken).ConfigureAwait(false);
        }
        await CheckedAsync("ip", ["link", "add", device, "address", mac, "mtu", (uplink.Mtu - 50).ToString(CultureInfo.InvariantCulture), "type", "vxlan",
            "id", options.Vni.ToString(CultureInfo.InvariantCulture), "local", uplink.Address.ToString(), "dev", uplink.Name,
            "dstport", options.VxlanPort.ToString(CultureInfo.InvariantCulture), "nolearning"], cancellationToken).ConfigureAwait(false);
        await CheckedAsync("ip", ["link", "set", "dev", device, "up"], cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Deletes the VXLAN device when it is this node's (its MAC is <paramref name="mac"/>, derived from the node name):
    /// left over from running with the VXLAN backend before. Anyone else's device of that name stays.
    /// </summary>
    public async Task RemoveOwnVxlanAsync(string mac, CancellationToken cancellationToken)
    {
        var existing = await RunAsync("ip", ["-j", "link", "show", "dev", vxlanDevice], null, cancellationToken).ConfigureAwait(false);
        if (!existing.Succeeded) return;
        using var json = JsonDocument.Parse(existing.Output);
        if (string.Equals(json.RootElement[0].GetProperty("address").GetString(), mac, StringComparison.OrdinalIgnoreCase))
            await CheckedAsync("ip", ["link", "delete", "dev", vxlanDevice], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives the VXLAN device exactly <paramref name="address"/>/32 (this node's pod CIDR's .0, as flannel does).</summary>
    public async Task EnsureDeviceAddressAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var device = vxlanDevice;
        using var json = await JsonAsync("ip", ["-4", "addr", "show", "dev", device], cancellationToken).ConfigureAwait(false);
        var present = json.RootElement.EnumerateArray().SelectMany(l => l.TryGetProperty("addr_info", out var a) ? a.EnumerateArray() : [])
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}").ToList();
        var wanted = $"{address}/32";
        foreach (var stale in present.Where(p => p != wanted))
            await CheckedAsync("ip", ["addr", "delete", stale, "dev", device], cancellationToken).ConfigureAwait(false);
        if (!present.Contains(wanted)) await CheckedAsync("ip", ["addr", "replace", wanted, "dev", device], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The overlay's routes, and with <paramref name="withVxlanEntries"/> the VXLAN device's permanent neighbor and FDB entries when it exists.</summary>
    public async Task<OverlayKernelState> ReadStateAsync(bool withVxlanEntries, CancellationToken cancellationToken)
    {
        using var routeJson = await JsonAsync("ip", ["route", "show", "proto", Proto], cancellationToken).ConfigureAwait(false);
        var routes = new List<OverlayRoute>();
        foreach (var route in routeJson.RootElement.EnumerateArray())
        {
            if (!route.TryGetProperty("gateway", out var gateway) || !route.TryGetProperty("dev", out var dev)) continue;
            var dst = route.GetProperty("dst").GetString()!;
            if (!OverlayPlan.TryParseNetwork(dst.Contains('/', StringComparison.Ordinal) ? dst : dst + "/32", out var destination)) continue;
            var onLink = route.TryGetProperty("flags", out var flags) && flags.EnumerateArray().Any(f => f.GetString() == "onlink");
            routes.Add(new OverlayRoute(destination, IPAddress.Parse(gateway.GetString()!), dev.GetString()!, onLink));
        }
        if (!withVxlanEntries || !(await RunAsync("ip", ["link", "show", "dev", vxlanDevice], null, cancellationToken).ConfigureAwait(false)).Succeeded)
            return new OverlayKernelState(routes, [], []);

        using var neighborJson = await JsonAsync("ip", ["neigh", "show", "dev", vxlanDevice, "nud", "permanent"], cancellationToken).ConfigureAwait(false);
        var neighbors = neighborJson.RootElement.EnumerateArray()
            .Where(n => n.TryGetProperty("lladdr", out _) && IPAddress.TryParse(n.GetProperty("dst").GetString(), out _))
            .Select(n => new OverlayNeighbor(IPAddress.Parse(n.GetProperty("dst").GetString()!), n.GetProperty("lladdr").GetString()!.ToLowerInvariant()))
            .ToList();
        using var fdbJson = await JsonAsync("bridge", ["fdb", "show", "dev", vxlanDevice], cancellationToken).ConfigureAwait(false);
        var fdb = fdbJson.RootElement.EnumerateArray()
            .Where(f => f.TryGetProperty("dst", out var d) && IPAddress.TryParse(d.GetString(), out _) && f.GetProperty("mac").GetString() != "00:00:00:00:00:00")
            .Select(f => new OverlayFdbEntry(f.GetProperty("mac").GetString()!.ToLowerInvariant(), IPAddress.Parse(f.GetProperty("dst").GetString()!)))
            .ToList();
        return new OverlayKernelState(routes, neighbors, fdb);
    }

    /// <summary>
    /// Applies <paramref name="changes"/> in flannel's order: stale routes, neighbors and FDB entries go first; new FDB
    /// and neighbor entries are in place before the route that uses them. Failed lines do not stop the rest.
    /// </summary>
    public async Task ApplyAsync(OverlayChanges changes, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var removals = new StringBuilder();
        foreach (var route in changes.RouteDeletes) removals.Append($"route del {route.Destination} proto {Proto}\n");
        foreach (var neighbor in changes.NeighborDeletes) removals.Append($"neigh del {neighbor.Address} dev {vxlanDevice}\n");
        await BatchAsync("ip", removals, errors, cancellationToken).ConfigureAwait(false);
        var fdb = new StringBuilder();
        foreach (var entry in changes.FdbDeletes) fdb.Append($"fdb del {entry.Mac} dev {vxlanDevice} dst {entry.Destination} self\n");
        foreach (var entry in changes.FdbAdds) fdb.Append($"fdb append {entry.Mac} dev {vxlanDevice} dst {entry.Destination} self permanent\n");
        await BatchAsync("bridge", fdb, errors, cancellationToken).ConfigureAwait(false);
        var additions = new StringBuilder();
        foreach (var neighbor in changes.NeighborAdds) additions.Append($"neigh replace {neighbor.Address} lladdr {neighbor.Mac} dev {vxlanDevice} nud permanent\n");
        foreach (var route in changes.RouteAdds)
            additions.Append($"route replace {route.Destination} via {route.Gateway} dev {route.Device}{(route.OnLink ? " onlink" : "")} proto {Proto}\n");
        await BatchAsync("ip", additions, errors, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors));
    }

    /// <summary>Replaces the masquerade table (one atomic nft transaction).</summary>
    public Task ApplyRulesAsync(string transaction, CancellationToken cancellationToken) => nft.ApplyAsync(transaction, cancellationToken);

    /// <summary>Removes the overlay's routes, the VXLAN device (with its entries) and the masquerade table; what is already gone is fine.</summary>
    public async Task RemoveAllAsync(string table, CancellationToken cancellationToken)
    {
        var state = await ReadStateAsync(false, cancellationToken).ConfigureAwait(false);
        var removals = new StringBuilder();
        foreach (var route in state.Routes) removals.Append($"route del {route.Destination} proto {Proto}\n");
        var errors = new List<string>();
        await BatchAsync("ip", removals, errors, cancellationToken).ConfigureAwait(false);
        if ((await RunAsync("ip", ["link", "show", "dev", vxlanDevice], null, cancellationToken).ConfigureAwait(false)).Succeeded)
            await CheckedAsync("ip", ["link", "delete", "dev", vxlanDevice], cancellationToken).ConfigureAwait(false);
        await nft.TryRunAsync(cancellationToken, "delete", "table", "ip", table).ConfigureAwait(false);
        if (errors.Count > 0) throw new InvalidOperationException(string.Join("; ", errors));
    }

    private static bool Matches(JsonElement link, OverlayOptions options, OverlayUplink uplink, string mac)
    {
        if (!link.TryGetProperty("linkinfo", out var info) || info.GetProperty("info_kind").GetString() != "vxlan") return false;
        var data = info.GetProperty("info_data");
        return data.TryGetProperty("id", out var id) && id.GetInt32() == options.Vni
            && data.TryGetProperty("local", out var local) && local.GetString() == uplink.Address.ToString()
            && data.TryGetProperty("port", out var port) && port.GetInt32() == options.VxlanPort
            && data.TryGetProperty("link", out var dev) && dev.GetString() == uplink.Name
            && data.TryGetProperty("learning", out var learning) && !learning.GetBoolean()
            && string.Equals(link.GetProperty("address").GetString(), mac, StringComparison.OrdinalIgnoreCase);
    }

    private string Where => networkNamespace is null ? "" : $" in network namespace {networkNamespace}";

    private async Task BatchAsync(string tool, StringBuilder lines, List<string> errors, CancellationToken cancellationToken)
    {
        if (lines.Length == 0) return;
        var result = await RunAsync(tool, ["-force", "-batch", "-"], lines.ToString(), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded) errors.Add($"{tool} -batch failed ({result.ExitCode}): {result.Error.Trim()}");
    }

    private async Task<JsonDocument> JsonAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var output = await CheckedAsync(tool, ["-j", .. arguments], cancellationToken).ConfigureAwait(false);
        // Some iproute2 versions print nothing instead of [] when there is nothing to list.
        return JsonDocument.Parse(string.IsNullOrWhiteSpace(output) ? "[]" : output);
    }

    private async Task<string> CheckedAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(tool, arguments, null, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({result.ExitCode}){Where}: {result.Error.Trim()}");
        return result.Output;
    }

    private Task<HostCommand.Result> RunAsync(string tool, string[] arguments, string? input, CancellationToken cancellationToken) =>
        HostCommand.RunAsync(tool, networkNamespace is null ? arguments : ["-n", networkNamespace, .. arguments], input, cancellationToken);
}
