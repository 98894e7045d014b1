using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Gantry.Controllers.Endpoints;

/// <summary>
/// What the endpoints and endpointslice controllers share (Kubernetes' endpointslice util and podutil): which pods a
/// service publishes, the port a service port reaches on a pod, readiness, hostnames and the trigger time.
/// </summary>
internal static class EndpointRules
{
    /// <summary>Annotation with the time of the last pod or service change reflected in the endpoints.</summary>
    public const string LastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

    /// <summary>Label set on the endpoints (and slices) of headless services.</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    /// <summary>
    /// The services whose selector matches <paramref name="labels"/> in a namespace. Services with no selector (their
    /// endpoints are the user's) and ExternalName services are never the controllers' business.
    /// </summary>
    public static IEnumerable<V1Service> Selecting(IEnumerable<V1Service> services, IDictionary<string, string>? labels) =>
        services.Where(s => HasSelector(s) && Matches(s.Spec.Selector, labels));

    /// <summary>Whether the service selects pods (a non-empty selector).</summary>
    public static bool HasSelector(V1Service service) => service.Spec?.Selector is { Count: > 0 };

    /// <summary>Every key/value of the selector is on the pod.</summary>
    public static bool Matches(IDictionary<string, string> selector, IDictionary<string, string>? labels) =>
        labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>
    /// Kubernetes' ShouldPodBeInEndpoints: not finished (Succeeded/Failed), has an IP, and — unless terminating pods
    /// are included — not being deleted.
    /// </summary>
    public static bool ShouldPodBeInEndpoints(V1Pod pod, bool includeTerminating)
    {
        if (pod.Status?.Phase is "Succeeded" or "Failed") return false;
        if (string.IsNullOrEmpty(pod.Status?.PodIP) && pod.Status?.PodIPs is not { Count: > 0 }) return false;
        return includeTerminating || pod.Metadata.DeletionTimestamp is null;
    }

    /// <summary>The pod's Ready condition is True.</summary>
    public static bool IsPodReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false;

    /// <summary>The pod's IPv4 address (the family of a single-stack IPv4 cluster's services); null when it has none.</summary>
    public static string? PodIPv4(V1Pod pod)
    {
        var candidates = (pod.Status?.PodIPs ?? []).Select(p => p.Ip).Prepend(pod.Status?.PodIP);
        return candidates.FirstOrDefault(ip => IPAddress.TryParse(ip, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetwork);
    }

    /// <summary>
    /// Kubernetes' podutil.FindPort: a numeric targetPort is used as is; a named one is the containerPort of the
    /// pod's container port with that name and the service port's protocol. Null when the pod has no such port.
    /// </summary>
    public static int? FindPort(V1Pod pod, V1ServicePort servicePort)
    {
        var target = servicePort.TargetPort?.Value;
        if (string.IsNullOrEmpty(target)) return servicePort.Port;
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return number;
        var protocol = servicePort.Protocol ?? "TCP";
        foreach (var container in pod.Spec?.Containers ?? [])
            foreach (var port in container.Ports ?? [])
                if (port.Name == target && (port.Protocol ?? "TCP") == protocol) return port.ContainerPort;
        return null;
    }

    /// <summary>A pod whose hostname is set and whose subdomain names the service gets its hostname published.</summary>
    public static bool ShouldSetHostname(V1Pod pod, V1Service service) =>
        !string.IsNullOrEmpty(pod.Spec?.Hostname) && pod.Spec.Subdomain == service.Metadata.Name && pod.Metadata.NamespaceProperty == service.Metadata.NamespaceProperty;

    /// <summary>A service with no cluster IP (headless, or none yet).</summary>
    public static bool IsHeadless(V1Service service) => service.Spec?.ClusterIP is null or "" or "None";

    /// <summary>RFC 3339 with fractional seconds, as Go's time.RFC3339Nano writes UTC.</summary>
    public static string FormatTime(DateTime time)
    {
        var utc = time.ToUniversalTime();
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return text + "Z";
    }
}
