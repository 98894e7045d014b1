using System.Text.RegularExpressions;
using Gantry.Node.Network;

namespace Gantry.Node.Tests.Network;

/// <summary>
/// Removes what an earlier, crashed run of the network tests left behind: their namespaces (gtrt-*), bridges on the test
/// pod range (10.251.0.0/16), masquerade tables for it and iptables rules of their networks (gantry-cni-test-*). Runs once per test run.
/// </summary>
internal static partial class CrashedRunCleanup
{
    private static readonly Lazy<Task> Once = new(RunAsync);

    public static Task EnsureAsync() => Once.Value;

    private static async Task RunAsync()
    {
        await TestNamespaces.DeleteAllWithPrefixAsync("gtrt-");
        var addresses = await HostCommand.RunAsync("ip", ["-o", "-4", "addr", "show"], null, CancellationToken.None);
        foreach (Match bridge in TestBridge().Matches(addresses.Output))
        {
            await HostCommand.RunAsync("ip", ["link", "delete", bridge.Groups[1].Value], null, CancellationToken.None);
        }
        var tables = await HostCommand.RunAsync("nft", ["list", "tables", "ip"], null, CancellationToken.None);
        foreach (Match table in MasqueradeTable().Matches(tables.Output))
        {
            var rules = await HostCommand.RunAsync("nft", ["list", "table", "ip", table.Groups[1].Value], null, CancellationToken.None);
            if (rules.Output.Contains("ip saddr 10.251.", StringComparison.Ordinal))
                await HostCommand.RunAsync("nft", ["delete", "table", "ip", table.Groups[1].Value], null, CancellationToken.None);
        }
        var saved = await HostCommand.RunCheckedAsync("iptables-save", [], null, CancellationToken.None);
        foreach (var network in TestNetwork().Matches(saved).Select(m => m.Groups[1].Value).Distinct())
        {
            await CniIptablesSweeper.SweepAsync(network, null, CancellationToken.None);
        }
    }

    [GeneratedRegex(@"^table ip (gantry-masq-[0-9a-f]{10})$", RegexOptions.Multiline)]
    private static partial Regex MasqueradeTable();

    [GeneratedRegex(@"^\d+: (gtr-[0-9a-f]{10})\s+inet 10\.251\.", RegexOptions.Multiline)]
    private static partial Regex TestBridge();

    [GeneratedRegex(@"name: \\""(gantry-cni-test-[0-9a-f]{8})\\""")]
    private static partial Regex TestNetwork();
}
