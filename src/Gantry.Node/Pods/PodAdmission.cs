using System.Globalization;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// The kubelet's admission of a pod onto its node (lifecycle predicate admit handler): room for one more pod, cpu and
/// memory requests within allocatable beside the admitted pods, and free host ports.
/// </summary>
internal static class PodAdmission
{
    /// <summary>Null when the pod fits, else (reason, message) to fail it with.</summary>
    public static (string Reason, string Message)? Check(V1Pod pod, IReadOnlyCollection<V1Pod> admitted, long allocatableMilliCpu, long allocatableMemory, int maxPods)
    {
        if (admitted.Count + 1 > maxPods) return Insufficient("pods", 1, admitted.Count, maxPods);
        var cpu = PodResources.EffectiveRequest(pod, "cpu");
        var usedCpu = admitted.Sum(p => PodResources.EffectiveRequest(p, "cpu"));
        if (cpu > 0 && usedCpu + cpu > allocatableMilliCpu) return Insufficient("cpu", cpu, usedCpu, allocatableMilliCpu);
        var memory = PodResources.EffectiveRequest(pod, "memory");
        var usedMemory = admitted.Sum(p => PodResources.EffectiveRequest(p, "memory"));
        if (memory > 0 && usedMemory + memory > allocatableMemory) return Insufficient("memory", memory, usedMemory, allocatableMemory);
        var used = admitted.SelectMany(HostPorts).ToHashSet();
        if (HostPorts(pod).Any(used.Contains))
            return ("NodePorts", "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
        return null;
    }

    /// <summary>The pod's hostPorts as protocol/port pairs.</summary>
    public static IEnumerable<(string Protocol, int Port)> HostPorts(V1Pod pod) =>
        (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers).SelectMany(c => c.Ports ?? [])
            .Where(p => p.HostPort is > 0).Select(p => (p.Protocol ?? "TCP", p.HostPort!.Value));

    private static (string, string) Insufficient(string resource, long requested, long used, long capacity) =>
        ("OutOf" + resource, string.Create(CultureInfo.InvariantCulture,
            $"Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}"));
}
