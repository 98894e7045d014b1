using Gantry.Node.Network;

namespace Gantry.Node.Tests.Network;

/// <summary>A network namespace the test creates with <c>ip netns add</c> and deletes on dispose.</summary>
internal sealed class NetworkNamespace : IAsyncDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public string Path => "/run/netns/" + Name;

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var name = "gtrt-" + Guid.NewGuid().ToString("N")[..10];
        await HostCommand.RunCheckedAsync("ip", ["netns", "add", name], null, CancellationToken.None);
        return new NetworkNamespace(name);
    }

    /// <summary>Runs a command inside the namespace.</summary>
    public Task<HostCommand.Result> ExecAsync(params string[] command) =>
        HostCommand.RunAsync("ip", ["netns", "exec", Name, .. command], null, CancellationToken.None);

    /// <summary>Kills what still runs inside (deleting the namespace would not).</summary>
    public async Task KillProcessesAsync()
    {
        var pids = await HostCommand.RunAsync("ip", ["netns", "pids", Name], null, CancellationToken.None);
        foreach (var pid in pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await HostCommand.RunAsync("kill", ["-9", pid], null, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillProcessesAsync();
        await HostCommand.RunAsync("ip", ["netns", "delete", Name], null, CancellationToken.None);
    }
}
