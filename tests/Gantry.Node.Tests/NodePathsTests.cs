using Gantry.Node;

namespace Gantry.Node.Tests;

public sealed class NodePathsTests
{
    [Fact]
    public void TwoAgentsOnOneMachine_ShareNoStatePath()
    {
        var a = new NodePaths("/tmp/gantry-a", "node-a");
        var b = new NodePaths("/tmp/gantry-b", "node-b");
        string[] Owned(NodePaths p) =>
            [p.ImageStoreDir, p.RuncRoot, p.ContainersDir, p.SandboxesDir, p.PodsDir, p.LocalVolumesDir, p.CniDataDir, p.CniNetworkName, p.CgroupRoot];
        Assert.Empty(Owned(a).Intersect(Owned(b)));
        Assert.All(Owned(a).Where(Path.IsPathRooted).Where(p => !p.StartsWith("/gantry/", StringComparison.Ordinal)),
            p => Assert.StartsWith("/tmp/gantry-a/agent/", p, StringComparison.Ordinal));
    }

    [Fact]
    public void RelativeDataDir_IsMadeAbsolute()
    {
        var paths = new NodePaths("data", "n1");
        Assert.True(Path.IsPathRooted(paths.DataDir));
        Assert.Equal("/gantry/n1/kubepods", paths.CgroupRoot);
    }
}
