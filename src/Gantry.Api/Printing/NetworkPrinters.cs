using System.Globalization;
using System.Text.Json.Nodes;
using Gantry.Api.Selectors;

namespace Gantry.Api.Printing;

/// <summary>Tables of Service, Endpoints and EndpointSlice.</summary>
internal static class NetworkPrinters
{
    private const int ListLimit = 3;

    public static IResourcePrinter Service() => new TablePrinter(
    [
        Col.Name,
        Col.Text("Type", ColumnDescriptions.ServiceType),
        Col.Text("Cluster-IP", ColumnDescriptions.ServiceClusterIP),
        Col.Text("External-IP", ColumnDescriptions.ServiceExternalIPs),
        Col.Text("Port(s)", ColumnDescriptions.ServicePorts),
        Col.Age,
        Col.Wide("Selector", ColumnDescriptions.ServiceSelector),
    ], (service, now) =>
    {
        // Kubernetes prints clusterIPs[0]; an object written with only the legacy clusterIP field reads the same.
        var clusterIPs = JsonRead.Array(service, "spec.clusterIPs");
        var clusterIP = clusterIPs.Count > 0 ? JsonRead.Str(clusterIPs[0]) ?? ""
            : JsonRead.Str(service, "spec.clusterIP") is { Length: > 0 } legacy ? legacy : "<none>";
        var ports = string.Join(",", JsonRead.Array(service, "spec.ports").Select(p =>
        {
            var port = JsonRead.Int(p, "port");
            var protocol = JsonRead.Text(p, "protocol");
            var nodePort = JsonRead.Int(p, "nodePort");
            return nodePort > 0 ? $"{port}:{nodePort}/{protocol}" : $"{port}/{protocol}";
        }));
        return
        [
            Col.NameOf(service), JsonRead.Text(service, "spec.type"), clusterIP, ExternalIP(service),
            ports.Length == 0 ? "<none>" : ports, Age.Since(service, now),
            LabelSelector.FormatLabels(JsonRead.At(service, "spec.selector")),
        ];
    });

    public static IResourcePrinter Endpoints() => new TablePrinter(
    [Col.Name, Col.Text("Endpoints", ColumnDescriptions.EndpointsSubsets), Col.Age],
    (endpoints, now) => [Col.NameOf(endpoints), FormatEndpoints(endpoints), Age.Since(endpoints, now)]);

    public static IResourcePrinter EndpointSlice() => new TablePrinter(
    [
        Col.Name,
        Col.Text("AddressType", ColumnDescriptions.EndpointSliceAddressType),
        Col.Text("Ports", ColumnDescriptions.EndpointSlicePorts),
        Col.Text("Endpoints", ColumnDescriptions.EndpointSliceEndpoints),
        Col.Age,
    ], (slice, now) =>
    {
        var ports = JsonRead.Array(slice, "ports").Select(p =>
            JsonRead.Long(p, "port") is { } n ? n.ToString(CultureInfo.InvariantCulture) : JsonRead.Str(p, "name") ?? "*").ToList();
        var addresses = JsonRead.Array(slice, "endpoints").SelectMany(e => JsonRead.Array(e, "addresses").Select(a => JsonRead.Str(a) ?? "")).ToList();
        return [Col.NameOf(slice), JsonRead.Text(slice, "addressType"), ListWithMore(ports), ListWithMore(addresses), Age.Since(slice, now)];
    });

    private static string ListWithMore(List<string> items)
    {
        if (items.Count > ListLimit) return $"{string.Join(",", items.Take(ListLimit))} + {items.Count - ListLimit} more...";
        return items.Count == 0 ? "<unset>" : string.Join(",", items);
    }

    private static string ExternalIP(JsonObject service)
    {
        var externalIPs = JsonRead.Array(service, "spec.externalIPs").Select(ip => JsonRead.Str(ip) ?? "").ToList();
        switch (JsonRead.Text(service, "spec.type"))
        {
            case "ClusterIP" or "NodePort":
                return externalIPs.Count > 0 ? string.Join(",", externalIPs) : "<none>";
            case "LoadBalancer":
                var ingress = JsonRead.Array(service, "status.loadBalancer.ingress")
                    .Select(i => JsonRead.Str(i, "ip") is { Length: > 0 } ip ? ip : JsonRead.Text(i, "hostname"))
                    .Where(s => s.Length > 0).Distinct().ToList();
                var all = ingress.Concat(externalIPs).ToList();
                return all.Count > 0 ? string.Join(",", all) : "<pending>";
            case "ExternalName":
                return JsonRead.Text(service, "spec.externalName");
            default:
                return "<unknown>";
        }
    }

    // ip:port for each address and port, at most three, then "+ N more...".
    private static string FormatEndpoints(JsonObject endpoints)
    {
        var subsets = JsonRead.Array(endpoints, "subsets");
        if (subsets.Count == 0) return "<none>";
        var list = new List<string>();
        var count = 0;
        foreach (var subset in subsets)
        {
            var addresses = JsonRead.Array(subset, "addresses").Select(a => JsonRead.Text(a, "ip")).ToList();
            var ports = JsonRead.Array(subset, "ports");
            if (ports.Count == 0)
            {
                // Headless services may have no ports.
                count += addresses.Count;
                list.AddRange(addresses.Take(ListLimit - list.Count));
                continue;
            }
            foreach (var port in ports)
            {
                count += addresses.Count;
                var number = JsonRead.Int(port, "port").ToString(CultureInfo.InvariantCulture);
                list.AddRange(addresses.Take(ListLimit - list.Count).Select(ip => ip.Contains(':') ? $"[{ip}]:{number}" : $"{ip}:{number}"));
            }
        }
        var text = string.Join(",", list);
        return count > ListLimit ? $"{text} + {count - ListLimit} more..." : text;
    }
}
