namespace Gantry.Node.Pods;

/// <summary>What pod syncs need to know of the node: its address, allocatable resources and whether pod networking is ready.</summary>
internal sealed class NodeFacts(string nodeIp, MachineInfo machine, NodeAgentOptions options)
{
    private volatile bool _networkReady;
    private volatile bool _diskPressure;

    /// <summary>The InternalIP (status.hostIP of every pod).</summary>
    public string NodeIp { get; } = nodeIp;

    /// <summary>The machine's facts.</summary>
    public MachineInfo Machine { get; } = machine;

    /// <summary>Allocatable cpu in millicores.</summary>
    public long AllocatableMilliCpu => Machine.CpuCount * 1000L;

    /// <summary>Allocatable memory: capacity minus the hard eviction threshold.</summary>
    public long AllocatableMemory => Math.Max(0, Machine.MemoryBytes - options.EvictionMemoryAvailableBytes);

    /// <summary>Allocatable ephemeral storage: capacity minus the nodefs.available share.</summary>
    public long AllocatableEphemeralStorage => (long)(Machine.EphemeralStorageBytes * (1 - options.EvictionNodeFsAvailableFraction));

    /// <summary>Pod networking was initialized with the node's pod CIDR.</summary>
    public bool NetworkReady
    {
        get => _networkReady;
        set => _networkReady = value;
    }

    /// <summary>A disk eviction threshold (nodefs/imagefs availability) is met, or was within the transition period.</summary>
    public bool DiskPressure
    {
        get => _diskPressure;
        set => _diskPressure = value;
    }

    /// <summary>Allocatable amount of a resource for resourceFieldRef defaults (cpu in cores).</summary>
    public decimal Allocatable(string resource) => resource switch
    {
        "cpu" => Machine.CpuCount,
        "memory" => AllocatableMemory,
        "ephemeral-storage" => AllocatableEphemeralStorage,
        _ => 0,
    };
}
