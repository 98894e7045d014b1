using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// An immutable snapshot of the cluster zone, built from the informer caches after each change and swapped in whole,
/// so queries read it without locks. Names are the Kubernetes DNS specification's (schema 1.1.0) as CoreDNS's
/// kubernetes plugin serves them; pod names (<c>1-2-3-4.ns.pod.zone</c>) are computed per query instead (pods
/// insecure: any well-formed IP answers).
/// </summary>
internal sealed class DnsZone
{
    /// <summary>The schema version served at <c>dns-version.&lt;zone&gt;</c>.</summary>
    public const string SchemaVersion = "1.1.0";

    private readonly FrozenDictionary<string, ZoneNode> _names;
    private readonly FrozenDictionary<string, ZoneNode> _reverse;

    private DnsZone(string domain, FrozenDictionary<string, ZoneNode> names, FrozenDictionary<string, ZoneNode> reverse, SoaRecord soa)
    {
        Domain = domain;
        _names = names;
        _reverse = reverse;
        Soa = soa;
    }

    /// <summary>The cluster domain, lower case, without trailing dot.</summary>
    public string Domain { get; }

    /// <summary>The zone's SOA, for the authority section of negative answers.</summary>
    public SoaRecord Soa { get; }

    /// <summary>The node of an in-zone name (lower case, no trailing dot), or null when the name does not exist.</summary>
    public ZoneNode? Find(string name) => _names.GetValueOrDefault(name);

    /// <summary>The PTR node of a reverse name (<c>d.c.b.a.in-addr.arpa</c>), or null when no service or endpoint has the IP.</summary>
    public ZoneNode? FindReverse(string name) => _reverse.GetValueOrDefault(name);

    /// <summary>Builds the zone of <paramref name="domain"/> from the informer caches' contents.</summary>
    public static DnsZone Build(string domain, int ttl, uint serial, IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices, IEnumerable<V1Namespace> namespaces)
    {
        domain = domain.Trim('.').ToLowerInvariant();
        var builder = new Builder(domain, ttl);
        var soa = new SoaRecord(DomainName.Parse(domain), ttl, DomainName.Parse("ns.dns." + domain), DomainName.Parse("hostmaster." + domain),
            serial, 7200, 1800, 86400, ttl);
        builder.Node(domain).Add(soa);
        builder.Node("dns-version." + domain).Add(new TxtRecord(DomainName.Parse("dns-version." + domain), ttl, SchemaVersion));
        builder.Node("svc." + domain);
        builder.Node("pod." + domain);
        foreach (var ns in namespaces) builder.Node($"{ns.Metadata.Name}.svc.{domain}");

        var slicesByService = slices
            .Where(s => s.Metadata.Labels?.ContainsKey("kubernetes.io/service-name") == true)
            .ToLookup(s => (s.Metadata.NamespaceProperty, s.Metadata.Labels["kubernetes.io/service-name"]));
        // Endpoint PTRs first, so a service IP that is also an endpoint IP ends up naming the service.
        var clusterIpServices = new List<V1Service>();
        foreach (var service in services)
        {
            var ns = service.Metadata.NamespaceProperty;
            var name = service.Metadata.Name;
            if (service.Spec?.Type == "ExternalName") builder.ExternalName(service);
            else if (service.Spec?.ClusterIP is null or "None") builder.Headless(service, slicesByService[(ns, name)]);
            else clusterIpServices.Add(service);
        }
        foreach (var service in clusterIpServices) builder.ClusterIp(service);
        return new DnsZone(domain, builder.Freeze(builder.Names), builder.Freeze(builder.Reverse), soa);
    }

    /// <summary>The reverse-lookup name of <paramref name="ip"/>, lower case, without trailing dot.</summary>
    public static string ReverseName(IPAddress ip)
    {
        var bytes = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
            return $"{bytes[3]}.{bytes[2]}.{bytes[1]}.{bytes[0]}.in-addr.arpa";
        var nibbles = new List<string>(34);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            nibbles.Add((bytes[i] & 0xF).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            nibbles.Add((bytes[i] >> 4).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }
        nibbles.Add("ip6.arpa");
        return string.Join('.', nibbles);
    }

    private sealed class Builder(string domain, int ttl)
    {
        public Dictionary<string, ZoneNode> Names { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, ZoneNode> Reverse { get; } = new(StringComparer.OrdinalIgnoreCase);

        // A name and every ancestor below the zone apex exist from now on.
        public ZoneNode Node(string name)
        {
            name = name.ToLowerInvariant();
            if (Names.TryGetValue(name, out var node)) return node;
            node = new ZoneNode();
            Names[name] = node;
            for (var parent = name; parent.Length > domain.Length;)
            {
                parent = parent[(parent.IndexOf('.', StringComparison.Ordinal) + 1)..];
                if (!Names.TryAdd(parent, new ZoneNode())) break;
            }
            return node;
        }

        public void ExternalName(V1Service service)
        {
            var target = service.Spec?.ExternalName;
            if (string.IsNullOrEmpty(target) || !DomainName.TryParse(target.TrimEnd('.'), out var targetName) || targetName is null) return;
            var name = ServiceName(service);
            Node(name).Add(new CNameRecord(DomainName.Parse(name), ttl, targetName));
        }

        public void ClusterIp(V1Service service)
        {
            var name = ServiceName(service);
            var owner = DomainName.Parse(name);
            var ips = (service.Spec.ClusterIPs is { Count: > 0 } list ? list : [service.Spec.ClusterIP])
                .Select(s => IPAddress.TryParse(s, out var ip) ? ip : null).OfType<IPAddress>().ToList();
            if (ips.Count == 0) return;
            var node = Node(name);
            foreach (var ip in ips)
            {
                node.Add(Address(owner, ip));
                var reverse = ReverseName(ip);
                Reverse[reverse] = Ptr(reverse, owner);
            }
            var ports = service.Spec.Ports ?? [];
            var weight = Weight(ports.Count);
            foreach (var port in ports)
            {
                var srv = new SrvRecord(owner, ttl, 0, weight, (ushort)port.Port, owner);
                node.Add(srv);
                if (string.IsNullOrEmpty(port.Name)) continue;
                var portName = PortName(port.Name, port.Protocol, name);
                Node(portName).Add(new SrvRecord(DomainName.Parse(portName), ttl, 0, 100, (ushort)port.Port, owner));
            }
        }

        public void Headless(V1Service service, IEnumerable<V1EndpointSlice> slices)
        {
            var name = ServiceName(service);
            var owner = DomainName.Parse(name);
            // Slices overlap while the controller moves endpoints between them: one record per (host, IP).
            var endpoints = new List<(string Host, IPAddress Ip)>();
            var ports = new List<Discoveryv1EndpointPort>();
            foreach (var slice in slices)
            {
                if (slice.AddressType is not ("IPv4" or "IPv6")) continue;
                foreach (var endpoint in slice.Endpoints ?? [])
                {
                    if (endpoint.Conditions?.Ready == false) continue;
                    foreach (var address in endpoint.Addresses ?? [])
                    {
                        if (!IPAddress.TryParse(address, out var ip)) continue;
                        var host = string.IsNullOrEmpty(endpoint.Hostname) ? Dashed(ip) : endpoint.Hostname.ToLowerInvariant();
                        if (!endpoints.Contains((host, ip))) endpoints.Add((host, ip));
                    }
                }
                foreach (var port in slice.Ports ?? [])
                {
                    if (port.Port is null || ports.Exists(p => p.Name == port.Name && p.Protocol == port.Protocol)) continue;
                    ports.Add(port);
                }
            }
            if (endpoints.Count == 0) return; // CoreDNS: a headless service without ready endpoints does not exist.
            var node = Node(name);
            var weight = Weight(endpoints.Count * Math.Max(1, ports.Count));
            foreach (var (host, ip) in endpoints)
            {
                var hostName = $"{host}.{name}";
                var hostOwner = DomainName.Parse(hostName);
                node.Add(Address(owner, ip));
                Node(hostName).Add(Address(hostOwner, ip));
                var reverse = ReverseName(ip);
                Reverse.TryAdd(reverse, Ptr(reverse, hostOwner));
                foreach (var port in ports)
                {
                    node.Add(new SrvRecord(owner, ttl, 0, weight, (ushort)port.Port!.Value, hostOwner));
                    if (string.IsNullOrEmpty(port.Name)) continue;
                    var portName = PortName(port.Name, port.Protocol, name);
                    Node(portName).Add(new SrvRecord(DomainName.Parse(portName), ttl, 0, Weight(endpoints.Count), (ushort)port.Port.Value, hostOwner));
                }
            }
        }

        public FrozenDictionary<string, ZoneNode> Freeze(Dictionary<string, ZoneNode> names)
        {
            foreach (var node in names.Values) node.Freeze();
            return names.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        }

        private string ServiceName(V1Service service) => $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc.{domain}".ToLowerInvariant();

        private static string PortName(string port, string? protocol, string service) =>
            $"_{port}._{(protocol ?? "TCP").ToLowerInvariant()}.{service}".ToLowerInvariant();

        // CoreDNS spreads weight 100 over the records of one priority.
        private static ushort Weight(int count) => (ushort)Math.Max(1, 100 / Math.Max(1, count));

        private DnsRecordBase Address(DomainName owner, IPAddress ip) =>
            ip.AddressFamily == AddressFamily.InterNetwork ? new ARecord(owner, ttl, ip) : new AaaaRecord(owner, ttl, ip);

        private ZoneNode Ptr(string reverse, DomainName target)
        {
            var node = new ZoneNode();
            node.Add(new PtrRecord(DomainName.Parse(reverse), ttl, target));
            return node;
        }

        private static string Dashed(IPAddress ip) => ip.ToString().Replace('.', '-').Replace(':', '-');
    }
}
