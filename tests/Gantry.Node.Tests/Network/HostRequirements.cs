namespace Gantry.Node.Tests.Network;

/// <summary>Fails a test loudly when it cannot run here (never a silent pass).</summary>
internal static class HostRequirements
{
    public static void Root() =>
        Assert.True(Environment.UserName == "root", "this test needs root (network namespaces, bridges, iptables, mounts)");

    public static void Tool(string path) =>
        Assert.True(File.Exists(path), $"{path} is missing: install it (scripts/install-packages)");
}
