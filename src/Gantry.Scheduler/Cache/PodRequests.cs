using k8s.Models;

namespace Gantry.Scheduler.Cache;

/// <summary>What a pod asks of a node: its effective requests, the non-zero cpu/memory used for scoring, and its host ports.</summary>
internal sealed class PodRequests
{
    /// <summary>kube-scheduler's stand-in for a container without a cpu request when scoring (100m).</summary>
    public const long DefaultMilliCpu = 100;

    /// <summary>kube-scheduler's stand-in for a container without a memory request when scoring (200 MB).</summary>
    public const long DefaultMemory = 200L * 1024 * 1024;

    private PodRequests(Resources requested, Resources nonZero, IReadOnlyList<HostPort> ports)
    {
        Requested = requested;
        NonZero = nonZero;
        Ports = ports;
    }

    /// <summary>The effective requests: max(sum of containers (+ sidecars), largest init step) + overhead.</summary>
    public Resources Requested { get; }

    /// <summary>Like <see cref="Requested"/> but with defaults for containers that request no cpu or memory.</summary>
    public Resources NonZero { get; }

    /// <summary>The host ports the pod's containers claim.</summary>
    public IReadOnlyList<HostPort> Ports { get; }

    /// <summary>Computes the requests of <paramref name="pod"/>.</summary>
    public static PodRequests Of(V1Pod pod)
    {
        var spec = pod.Spec;
        var requested = Effective(spec, nonZero: false);
        var nonZero = Effective(spec, nonZero: true);
        var ports = spec.Containers
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0)
            .Select(p => new HostPort(string.IsNullOrEmpty(p.HostIP) ? "0.0.0.0" : p.HostIP, string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol, p.HostPort!.Value))
            .ToList();
        return new PodRequests(requested, nonZero, ports);
    }

    private static Resources Effective(V1PodSpec spec, bool nonZero)
    {
        var sum = new Resources();
        foreach (var c in spec.Containers) sum.Add(ContainerRequests(c, nonZero));
        // Sidecars (restartable init containers) run beside everything started after them; plain init containers run alone
        // next to the sidecars started before them.
        var sidecars = new Resources();
        var initPeak = new Resources();
        foreach (var c in spec.InitContainers ?? [])
        {
            var r = ContainerRequests(c, nonZero);
            if (c.RestartPolicy == "Always")
            {
                sidecars.Add(r);
                initPeak.Max(sidecars);
            }
            else
            {
                var step = sidecars.Clone();
                step.Add(r);
                initPeak.Max(step);
            }
        }
        sum.Add(sidecars);
        sum.Max(initPeak);
        if (spec.Overhead is not null) sum.Add(spec.Overhead);
        return sum;
    }

    private static Resources ContainerRequests(V1Container c, bool nonZero)
    {
        var r = Resources.From(c.Resources?.Requests);
        if (nonZero)
        {
            if (c.Resources?.Requests?.ContainsKey("cpu") != true) r.MilliCpu = DefaultMilliCpu;
            if (c.Resources?.Requests?.ContainsKey("memory") != true) r.Memory = DefaultMemory;
        }
        return r;
    }
}
