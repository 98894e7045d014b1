using System.Text;

namespace Gantry.Node.Network;

/// <summary>
/// Removes the iptables rules and chains the bridge (ipMasq) and portmap plugins made for a network. Both plugins tag
/// every rule with the comment <c>name: "&lt;network&gt;" id: "&lt;container&gt;"</c>; the bridge plugin only removes its
/// masquerade chain when the sandbox's namespace still exists, so a DEL after the namespace is gone would leak it.
/// </summary>
internal static class CniIptablesSweeper
{
    private static readonly string[] Tables = ["nat", "filter", "mangle"];

    /// <summary>
    /// Deletes the rules tagged for <paramref name="networkName"/> (and <paramref name="containerId"/> when given), then the
    /// per-sandbox chains they jump to or live in. The shared CNI-HOSTPORT-* chains stay: other networks use them.
    /// </summary>
    public static async Task SweepAsync(string networkName, string? containerId, CancellationToken cancellationToken)
    {
        var tag = containerId is null ? $"name: \\\"{networkName}\\\" id: " : $"name: \\\"{networkName}\\\" id: \\\"{containerId}\\\"";
        foreach (var table in Tables)
        {
            var saved = await HostCommand.RunAsync("iptables-save", ["-t", table], null, cancellationToken).ConfigureAwait(false);
            if (!saved.Succeeded) throw new InvalidOperationException($"iptables-save -t {table} failed: {saved.Error.Trim()}");
            var script = RemovalScript(table, saved.Output, tag);
            if (script is null) continue;
            await HostCommand.RunCheckedAsync("iptables-restore", ["--noflush", "-w", "5"], script, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The names of the CNI chains in <paramref name="saved"/> (iptables-save output) whose rules carry the tag.</summary>
    public static IReadOnlyList<string> TaggedChains(string saved, string networkName) =>
        Parse(saved, $"name: \\\"{networkName}\\\" id: ").Chains;

    private static string? RemovalScript(string table, string saved, string tag)
    {
        var (rules, chains) = Parse(saved, tag);
        if (rules.Count == 0 && chains.Count == 0) return null;
        var script = new StringBuilder().Append('*').Append(table).Append('\n');
        // Rules jumping into a doomed chain first, then the chains themselves (flushed, so nothing inside references others).
        foreach (var rule in rules) script.Append("-D ").Append(rule).Append('\n');
        foreach (var chain in chains) script.Append("-F ").Append(chain).Append('\n');
        foreach (var chain in chains) script.Append("-X ").Append(chain).Append('\n');
        return script.Append("COMMIT\n").ToString();
    }

    /// <summary>
    /// Tagged rules outside the doomed chains (to delete one by one) and the doomed chains: the CNI-prefixed, non-shared
    /// chains a tagged rule jumps to or lives in.
    /// </summary>
    private static (List<string> Rules, List<string> Chains) Parse(string saved, string tag)
    {
        var tagged = new List<(string Chain, string Rule, string? Target)>();
        foreach (var line in saved.Split('\n'))
        {
            if (!line.StartsWith("-A ", StringComparison.Ordinal) || !line.Contains(tag, StringComparison.Ordinal)) continue;
            var rule = line[3..].TrimEnd();
            var chain = rule[..rule.IndexOf(' ', StringComparison.Ordinal)];
            var jump = rule.LastIndexOf(" -j ", StringComparison.Ordinal);
            var target = jump < 0 ? null : rule[(jump + 4)..].Split(' ')[0];
            tagged.Add((chain, rule, target));
        }
        var chains = tagged.SelectMany(t => new[] { t.Chain, t.Target }).OfType<string>().Where(IsPerSandboxChain).Distinct().ToList();
        var rules = tagged.Where(t => !chains.Contains(t.Chain)).Select(t => t.Rule).ToList();
        // A chain may also be referenced by an untagged rule (the bridge plugin's POSTROUTING jump is tagged, but be safe).
        foreach (var line in saved.Split('\n'))
        {
            if (!line.StartsWith("-A ", StringComparison.Ordinal)) continue;
            var rule = line[3..].TrimEnd();
            var jump = rule.LastIndexOf(" -j ", StringComparison.Ordinal);
            if (jump < 0 || rules.Contains(rule)) continue;
            var target = rule[(jump + 4)..].Split(' ')[0];
            var chain = rule[..rule.IndexOf(' ', StringComparison.Ordinal)];
            if (chains.Contains(target) && !chains.Contains(chain)) rules.Add(rule);
        }
        return (rules, chains);
    }

    private static bool IsPerSandboxChain(string chain) =>
        chain.StartsWith("CNI-", StringComparison.Ordinal) && !chain.StartsWith("CNI-HOSTPORT-", StringComparison.Ordinal);
}
