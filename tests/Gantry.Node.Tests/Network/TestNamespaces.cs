using Gantry.Node.Network;

namespace Gantry.Node.Tests.Network;

/// <summary>Removal of the named network namespaces tests create, including those a killed run left behind.</summary>
internal static class TestNamespaces
{
    /// <summary>Deletes every namespace whose name starts with <paramref name="prefix"/> (leftovers of crashed runs).</summary>
    public static async Task DeleteAllWithPrefixAsync(string prefix)
    {
        var list = await HostCommand.RunAsync("ip", ["netns", "list"], null, CancellationToken.None);
        foreach (var name in list.Output.Split('\n').Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
            await DeleteAsync(name);
    }

    /// <summary>Kills what still runs inside (deleting the namespace would not), then deletes it.</summary>
    public static async Task DeleteAsync(string name)
    {
        var pids = await HostCommand.RunAsync("ip", ["netns", "pids", name], null, CancellationToken.None);
        foreach (var pid in pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            await HostCommand.RunAsync("kill", ["-9", pid], null, CancellationToken.None);
        await HostCommand.RunAsync("ip", ["netns", "delete", name], null, CancellationToken.None);
    }
}
