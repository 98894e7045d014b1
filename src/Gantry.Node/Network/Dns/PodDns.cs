using System.Net.Sockets;
using System.Text;
using k8s.Models;

namespace Gantry.Node.Network.Dns;

/// <summary>A pod's /etc/resolv.conf, formed as the kubelet forms it from the pod's dnsPolicy and dnsConfig.</summary>
public static class PodDns
{
    // The kubelet's limits (ExpandedDNSConfig, GA since 1.28): resolvers only read three servers, and glibc aborts on
    // search paths longer than a DNS name.
    private const int MaxNameservers = 3;
    private const int MaxSearchPaths = 32;
    private const int MaxSearchListChars = 2048;
    private const int MaxSearchPathLength = 253;

    /// <summary>The resolv.conf text for <paramref name="pod"/> on a node with <paramref name="settings"/>.</summary>
    public static string ResolvConf(V1Pod pod, DnsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(settings);
        var host = settings.HostResolvConf.Length == 0 ? ResolvConfFile.Empty : ResolvConfFile.Read(settings.HostResolvConf);
        List<string> servers = [.. host.Nameservers];
        List<string> searches = [.. host.Searches];
        List<string> options = [.. host.Options];

        var policy = pod.Spec?.DnsPolicy ?? "ClusterFirst";
        var hostNetwork = pod.Spec?.HostNetwork == true;
        var cluster = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && !hostNetwork)
            || policy is not ("None" or "Default" or "ClusterFirst");
        if (policy == "None")
        {
            servers.Clear();
            searches.Clear();
            options.Clear();
        }
        else if (cluster && settings.ClusterDns.Count > 0)
        {
            // The cluster DNS is the only server: it forwards what it does not serve.
            servers = [.. settings.ClusterDns.Select(ip => ip.ToString())];
            if (settings.ClusterDomain.Length > 0)
            {
                var ns = pod.Metadata?.NamespaceProperty ?? "default";
                searches = Distinct([$"{ns}.svc.{settings.ClusterDomain}", $"svc.{settings.ClusterDomain}", settings.ClusterDomain, .. searches]);
            }
            options = ["ndots:5"];
        }
        else if (settings.HostResolvConf.Length == 0)
        {
            // No host resolv.conf: "the nameserver on the local machine", as the kubelet writes it.
            var ipv6 = pod.Status?.PodIPs?.Any(ip => System.Net.IPAddress.TryParse(ip.Ip, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6) == true;
            servers = [ipv6 ? "::1" : "127.0.0.1"];
            searches = ["."];
        }

        if (pod.Spec?.DnsConfig is { } extra)
        {
            servers = Distinct([.. servers, .. extra.Nameservers ?? []]);
            searches = Distinct([.. searches, .. extra.Searches ?? []]);
            options = MergeOptions(options, extra.Options ?? []);
        }
        if (servers.Count > MaxNameservers) servers = servers[..MaxNameservers];
        return Render(servers, FitSearches(searches), options);
    }

    private static List<string> Distinct(IEnumerable<string> items) => [.. items.Distinct(StringComparer.Ordinal)];

    // Pod options override host options of the same name; a name without value is written bare. Unlike the kubelet
    // (Go map order) the order is stable: existing options first, then new ones.
    private static List<string> MergeOptions(List<string> existing, IList<V1PodDNSConfigOption> podOptions)
    {
        var merged = new List<KeyValuePair<string, string>>();
        void Set(string name, string value)
        {
            var index = merged.FindIndex(kv => kv.Key == name);
            if (index >= 0) merged[index] = new(name, value);
            else merged.Add(new(name, value));
        }
        foreach (var option in existing)
        {
            var colon = option.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0) Set(option[..colon], option[(colon + 1)..]);
            else Set(option, "");
        }
        foreach (var option in podOptions) Set(option.Name ?? "", option.Value ?? "");
        return [.. merged.Select(kv => kv.Value.Length > 0 ? $"{kv.Key}:{kv.Value}" : kv.Key)];
    }

    private static List<string> FitSearches(List<string> searches)
    {
        if (searches.Count > MaxSearchPaths) searches = searches[..MaxSearchPaths];
        searches = [.. searches.Where(s => s.Length <= MaxSearchPathLength)];
        var length = searches.Sum(s => s.Length) + Math.Max(0, searches.Count - 1);
        // Drops whole paths from the end until the search line fits.
        while (length > MaxSearchListChars && searches.Count > 0)
        {
            length -= searches[^1].Length + 1;
            searches.RemoveAt(searches.Count - 1);
        }
        return searches;
    }

    // The order the container runtimes write: search, nameservers, options.
    private static string Render(List<string> servers, List<string> searches, List<string> options)
    {
        var text = new StringBuilder();
        if (searches.Count > 0) text.Append("search ").AppendJoin(' ', searches).Append('\n');
        foreach (var server in servers) text.Append("nameserver ").Append(server).Append('\n');
        if (options.Count > 0) text.Append("options ").AppendJoin(' ', options).Append('\n');
        return text.ToString();
    }
}
