namespace Gantry.Node.Pods;

/// <summary>Node and pod facts a container's configuration depends on beyond its pod spec.</summary>
/// <param name="NodeIp">status.hostIP.</param>
/// <param name="PodIps">status.podIPs (the node's address with host networking).</param>
/// <param name="Allocatable">The node's allocatable amount of a resource (cpu in cores, others in units).</param>
/// <param name="MemoryCapacity">The node's memory capacity in bytes (for oom_score_adj).</param>
internal sealed record PodContext(string NodeIp, IReadOnlyList<string> PodIps, Func<string, decimal> Allocatable, long MemoryCapacity);
