namespace Gantry.Node.Network;

/// <summary>The CNI plugins the node network needs, and the check that they are installed.</summary>
public static class CniPlugins
{
    /// <summary>The Debian package that ships the plugins.</summary>
    public const string DebianPackage = "containernetworking-plugins";

    /// <summary>Every plugin binary the network uses.</summary>
    public static IReadOnlyList<string> Required { get; } = ["bridge", "host-local", "loopback", "portmap"];

    /// <summary>Throws with a message naming the Debian package when a plugin is missing from <paramref name="pluginDir"/>.</summary>
    public static void EnsureInstalled(string pluginDir)
    {
        var missing = Required.Where(p => !File.Exists(Path.Combine(pluginDir, p))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"CNI plugins {string.Join(", ", missing)} not found in {pluginDir}: install the Debian package {DebianPackage} (apt-get install {DebianPackage})");
        }
    }
}
