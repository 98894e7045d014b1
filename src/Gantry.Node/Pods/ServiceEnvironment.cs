using System.Globalization;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// The docker-links style variables the kubelet gives every container for the services of its namespace
/// (enableServiceLinks) and for the API server's "kubernetes" service: FOO_SERVICE_HOST, FOO_SERVICE_PORT, FOO_PORT_80_TCP...
/// </summary>
internal static class ServiceEnvironment
{
    /// <summary>The variables, in the kubelet's order (services sorted by name, ports in spec order).</summary>
    public static async Task<List<KeyValuePair<string, string>>> BuildAsync(IApiClient client, V1Pod pod, CancellationToken cancellationToken)
    {
        var services = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        var ns = pod.Metadata.NamespaceProperty;
        if (pod.Spec.EnableServiceLinks != false)
        {
            foreach (var service in (await client.For<V1Service>().ListAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Items)
                services[service.Metadata.Name] = service;
        }
        if (ns != "default" || pod.Spec.EnableServiceLinks == false)
        {
            var master = await client.For<V1Service>().GetAsync("default", "kubernetes", cancellationToken).ConfigureAwait(false);
            if (master is not null) services["kubernetes"] = master;
        }
        var env = new List<KeyValuePair<string, string>>();
        foreach (var service in services.Values.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal))
        {
            var ip = service.Spec?.ClusterIP;
            if (string.IsNullOrEmpty(ip) || ip == "None" || service.Spec!.Ports is not { Count: > 0 } ports) continue;
            var name = service.Metadata.Name.ToUpperInvariant().Replace('-', '_');
            var first = ports[0];
            env.Add(new($"{name}_SERVICE_HOST", ip));
            env.Add(new($"{name}_SERVICE_PORT", first.Port.ToString(CultureInfo.InvariantCulture)));
            foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
                env.Add(new($"{name}_SERVICE_PORT_{port.Name.ToUpperInvariant().Replace('-', '_')}", port.Port.ToString(CultureInfo.InvariantCulture)));
            var host = ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip;
            env.Add(new($"{name}_PORT", $"{(first.Protocol ?? "TCP").ToLowerInvariant()}://{host}:{first.Port}"));
            foreach (var port in ports)
            {
                var protocol = port.Protocol ?? "TCP";
                var prefix = $"{name}_PORT_{port.Port}_{protocol.ToUpperInvariant()}";
                env.Add(new(prefix, $"{protocol.ToLowerInvariant()}://{host}:{port.Port}"));
                env.Add(new(prefix + "_PROTO", protocol.ToLowerInvariant()));
                env.Add(new(prefix + "_PORT", port.Port.ToString(CultureInfo.InvariantCulture)));
                env.Add(new(prefix + "_ADDR", ip));
            }
        }
        return env;
    }
}
