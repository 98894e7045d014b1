using System.Text;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>A pod's /etc/resolv.conf by its dnsPolicy and dnsConfig, as the kubelet's dns configurer writes it.</summary>
internal static class ResolvConf
{
    private const int MaxSearches = 32;

    /// <summary>The file's content for <paramref name="pod"/>.</summary>
    public static string For(V1Pod pod, NodeAgentOptions options)
    {
        var policy = pod.Spec.DnsPolicy ?? "ClusterFirst";
        if (pod.Spec.HostNetwork == true && policy == "ClusterFirst") policy = "Default";
        var (hostServers, hostSearches, hostOptions) = Host(options.ResolvConf);
        List<string> servers, searches, opts;
        switch (policy)
        {
            case "None":
                (servers, searches, opts) = ([], [], []);
                break;
            case "ClusterFirst" or "ClusterFirstWithHostNet" when options.ClusterDns.Count > 0:
                var ns = pod.Metadata.NamespaceProperty;
                servers = [.. options.ClusterDns];
                searches = [$"{ns}.svc.{options.ClusterDomain}", $"svc.{options.ClusterDomain}", options.ClusterDomain, .. hostSearches];
                opts = ["ndots:5"];
                break;
            default:
                // Default, or ClusterFirst while the cluster has no DNS yet: the host's resolver.
                (servers, searches, opts) = (hostServers, hostSearches, hostOptions);
                break;
        }
        if (pod.Spec.DnsConfig is { } extra)
        {
            servers.AddRange((extra.Nameservers ?? []).Where(s => !servers.Contains(s)));
            searches.AddRange((extra.Searches ?? []).Where(s => !searches.Contains(s)));
            foreach (var option in extra.Options ?? [])
            {
                opts.RemoveAll(o => o.Split(':')[0] == option.Name);
                opts.Add(option.Value is null ? option.Name : $"{option.Name}:{option.Value}");
            }
        }
        var text = new StringBuilder();
        if (searches.Count > 0) text.Append("search ").AppendJoin(' ', searches.Distinct().Take(MaxSearches)).Append('\n');
        foreach (var server in servers.Take(3)) text.Append("nameserver ").Append(server).Append('\n');
        if (opts.Count > 0) text.Append("options ").AppendJoin(' ', opts).Append('\n');
        return text.ToString();
    }

    private static (List<string> Servers, List<string> Searches, List<string> Options) Host(string? configured)
    {
        var path = configured ?? new[] { "/run/systemd/resolve/resolv.conf", "/etc/resolv.conf" }.FirstOrDefault(File.Exists);
        List<string> servers = [], searches = [], options = [];
        if (path is null || !File.Exists(path)) return (servers, searches, options);
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0].StartsWith('#')) continue;
            switch (fields[0])
            {
                case "nameserver": servers.Add(fields[1]); break;
                case "search": searches = [.. fields[1..]]; break;
                case "options": options.AddRange(fields[1..]); break;
            }
        }
        return (servers, searches, options);
    }
}
