using Gantry.Client.Events;
using Gantry.Node.Pods;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Pods;

/// <summary>The DiskPressure node condition from nodefs/imagefs availability (the kubelet's default hard eviction thresholds).</summary>
public sealed class DiskPressureTests
{
    private const string NodeFs = "/simulated/data";
    private const string ImageFs = "/simulated/data/image-store";
    private readonly ManualTime _time = new();
    private readonly SimulatedDisks _disks = new();
    private readonly List<(string Type, string Reason, string Message)> _events = [];
    private readonly NodeAgentOptions _options = new() { NodeName = "node-1" };
    private readonly NodeFacts _node;
    private readonly DiskPressureMonitor _monitor;

    public DiskPressureTests()
    {
        _node = new NodeFacts("127.0.0.1", new MachineInfo { CpuCount = 1, MemoryBytes = 1L << 30, EphemeralStorageBytes = 1L << 30 }, _options);
        _monitor = new DiskPressureMonitor(_disks, NodeFs, ImageFs, _options, _node, (t, r, m) => _events.Add((t, r, m)), _time, NullLogger.Instance);
    }

    [Theory]
    [InlineData(1000, 95, 1000, 900, true)]   // nodefs.available 9.5% < 10%
    [InlineData(1000, 100, 1000, 900, false)] // exactly 10% is not below it
    [InlineData(1000, 900, 1000, 149, true)]  // imagefs.available 14.9% < 15%
    [InlineData(1000, 900, 1000, 150, false)]
    public void Pressure_FollowsTheEvictionThresholds(long nodeCapacity, long nodeAvailable, long imageCapacity, long imageAvailable, bool pressure)
    {
        _disks.Set(NodeFs, nodeCapacity, nodeAvailable);
        _disks.Set(ImageFs, imageCapacity, imageAvailable);

        _monitor.Observe();

        Assert.Equal(pressure, _node.DiskPressure);
    }

    [Fact]
    public void Pressure_IsReportedAsTheKubeletDoes_AndClearsOnlyAfterTheTransitionPeriod()
    {
        _disks.Set(NodeFs, 1000, 50);
        _monitor.Observe();
        var condition = DiskPressureCondition();
        Assert.Equal(("True", "KubeletHasDiskPressure", "kubelet has disk pressure"), (condition.Status, condition.Reason, condition.Message));
        Assert.Equal([(EventTypes.Normal, "NodeHasDiskPressure", "Node node-1 status is now: NodeHasDiskPressure")], _events);

        _disks.Set(NodeFs, 1000, 500);
        _time.Advance(TimeSpan.FromMinutes(4));
        _monitor.Observe();
        Assert.True(_node.DiskPressure, "pressure holds for the transition period");

        _time.Advance(TimeSpan.FromMinutes(1));
        _monitor.Observe();
        condition = DiskPressureCondition();
        Assert.Equal(("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"), (condition.Status, condition.Reason, condition.Message));
        Assert.Equal((EventTypes.Normal, "NodeHasNoDiskPressure", "Node node-1 status is now: NodeHasNoDiskPressure"), _events[^1]);
    }

    [Fact]
    public async Task Agent_ReportsDiskPressure_OnItsNode_WhenTheDiskFillsUp()
    {
        var disks = new SimulatedDisks();
        await using var harness = await AgentHarness.StartAsync(o => o with
        {
            FileSystemStats = disks,
            EvictionMonitoringPeriod = TimeSpan.FromMilliseconds(100),
        });
        disks.Set(harness.Paths.DataDir, 1000, 10);

        await Testing.Eventually.HoldsAsync(async () =>
            (await harness.Client.For<V1Node>().GetAsync(null, AgentHarness.NodeName))!.Status.Conditions.Single(c => c.Type == "DiskPressure").Status == "True",
            "the DiskPressure condition to turn True");
    }

    private V1NodeCondition DiskPressureCondition() =>
        NodeStatusBuilder.Status(_options, _node, true, _time.GetUtcNow().UtcDateTime, null, []).Conditions.Single(c => c.Type == "DiskPressure");
}
