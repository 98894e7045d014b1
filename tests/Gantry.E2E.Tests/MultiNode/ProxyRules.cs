using System.Text.RegularExpressions;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>
/// What a machine's service proxy programs, read from its nftables ruleset: a service port's chain balances over its
/// endpoints with <c>numgen random mod N vmap { 0 : goto endpoint-…-ns/svc/TCP/port__IP/port, … }</c> (kube-proxy's
/// nftables layout).
/// </summary>
internal static partial class ProxyRules
{
    /// <summary>The endpoint addresses the machine's proxy balances <paramref name="ns"/>/<paramref name="service"/> over; null if nft fails.</summary>
    public static async Task<HashSet<string>?> EndpointsAsync(Machine machine, string ns, string service)
    {
        var ruleset = await machine.RunAsync(["nft", "list", "ruleset"], TimeSpan.FromSeconds(5));
        if (ruleset.ExitCode != 0) return null;
        var prefix = $"-{ns}/{service}/";
        return ruleset.Stdout.Split('\n')
            .Where(line => line.Contains("numgen random mod", StringComparison.Ordinal) && line.Contains(prefix, StringComparison.Ordinal))
            .SelectMany(line => EndpointTarget().Matches(line).Select(m => m.Groups[1].Value))
            .ToHashSet();
    }

    [GeneratedRegex(@"goto endpoint-\S*?__(\d+\.\d+\.\d+\.\d+)/\d+")]
    private static partial Regex EndpointTarget();
}
