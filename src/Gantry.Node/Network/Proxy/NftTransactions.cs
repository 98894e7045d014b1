using System.Text;

namespace Gantry.Node.Network.Proxy;

/// <summary>
/// Writes the nft transactions (input of one <c>nft -f -</c>, applied atomically by the kernel): the full table, or the
/// diff between two rulesets that touches only the chains, elements and sets that changed.
/// </summary>
internal static class NftTransactions
{
    /// <summary>kube-proxy's masquerade bit (--masquerade-bit 14).</summary>
    public const string MasqueradeMark = "0x4000";

    private const string ServiceKeyType = "ipv4_addr . inet_proto . inet_service : verdict";
    private const string NodePortKeyType = "inet_proto . inet_service : verdict";

    /// <summary>Replaces whatever table of that name exists (a crashed run's too) with the whole ruleset.</summary>
    public static string Full(ServiceProxyOptions options, ProxyRuleset ruleset)
    {
        var table = options.TableName;
        var text = new StringBuilder(256 + ruleset.Chains.Count * 200);
        // "add" first so that "delete" cannot fail on a missing table: the pair empties any earlier state in the same transaction.
        text.Append("add table ip ").Append(table).Append('\n');
        text.Append("delete table ip ").Append(table).Append('\n');
        text.Append("table ip ").Append(table).Append(" {\n");
        text.Append("\tcomment \"gantry service proxy of node ").Append(options.NodeName).Append("\"\n");
        WriteFixedPart(text, options);
        foreach (var (set, timeout) in ruleset.AffinitySets) text.Append('\t').Append(AffinitySetDefinition(set, timeout)).Append('\n');
        foreach (var (chain, rules) in BalancingFirst(ruleset.Chains))
        {
            text.Append("\tchain ").Append(chain).Append(" {\n");
            foreach (var rule in rules) text.Append("\t\t").Append(rule).Append('\n');
            text.Append("\t}\n");
        }
        text.Append("}\n");
        foreach (var (map, elements) in ruleset.Elements)
        {
            if (elements.Count > 0) AppendElements(text, "add", table, map, elements.Select(e => $"{e.Key} : {e.Value}"));
        }
        return text.ToString();
    }

    /// <summary>
    /// The changes from <paramref name="previous"/> to <paramref name="next"/> (the whole rulesets, or only the services
    /// that changed: see <see cref="ProxyRulesetCache"/>); empty when nothing changed. Chains that
    /// are no longer used are flushed and returned in <paramref name="flushedChains"/>: the next diff deletes them (given
    /// in <paramref name="chainsToDelete"/>), because kernels before 6.2 release a chain's reference from a deleted map
    /// element only a moment after the transaction (kube-proxy does the same).
    /// </summary>
    public static string Diff(string table, ProxyRuleset previous, ProxyRuleset next, IReadOnlySet<string> chainsToDelete, out List<string> flushedChains)
    {
        var text = new StringBuilder();
        foreach (var (set, timeout) in next.AffinitySets)
        {
            if (!previous.AffinitySets.ContainsKey(set)) text.Append("add ").Append(AffinitySetDefinitionFor(table, set, timeout)).Append('\n');
        }

        var changed = BalancingFirst(next.Chains.Where(c => !previous.Chains.TryGetValue(c.Key, out var old) || !old.AsSpan().SequenceEqual(c.Value)));
        // Declare every new chain before any rule or element refers to it.
        foreach (var (chain, _) in changed) text.Append("add chain ip ").Append(table).Append(' ').Append(chain).Append('\n');
        foreach (var (chain, rules) in changed)
        {
            if (previous.Chains.ContainsKey(chain) || chainsToDelete.Contains(chain))
                text.Append("flush chain ip ").Append(table).Append(' ').Append(chain).Append('\n');
            foreach (var rule in rules) text.Append("add rule ip ").Append(table).Append(' ').Append(chain).Append(' ').Append(rule).Append('\n');
        }

        foreach (var map in ProxyRuleset.MapNames)
        {
            var before = previous.Elements[map];
            var after = next.Elements[map];
            var removed = before.Where(e => !after.TryGetValue(e.Key, out var v) || v != e.Value).Select(e => e.Key).ToList();
            if (removed.Count > 0) AppendElements(text, "delete", table, map, removed);
            var added = after.Where(e => !before.TryGetValue(e.Key, out var v) || v != e.Value).Select(e => $"{e.Key} : {e.Value}").ToList();
            if (added.Count > 0) AppendElements(text, "add", table, map, added);
        }

        flushedChains = previous.Chains.Keys.Where(c => !next.Chains.ContainsKey(c)).ToList();
        foreach (var chain in flushedChains) text.Append("flush chain ip ").Append(table).Append(' ').Append(chain).Append('\n');
        // Sets go last: the rules that used them were flushed or rewritten above.
        foreach (var set in previous.AffinitySets.Keys.Where(s => !next.AffinitySets.ContainsKey(s)))
            text.Append("delete set ip ").Append(table).Append(' ').Append(set).Append('\n');
        foreach (var chain in chainsToDelete.Where(c => !next.Chains.ContainsKey(c)))
            text.Append("delete chain ip ").Append(table).Append(' ').Append(chain).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// Splits a <see cref="Diff"/> into its leading declarations and the rest when it declares at least
    /// <paramref name="minimumDeclarations"/> chains and sets; otherwise ("", <paramref name="diff"/>). The declarations
    /// can go first as a transaction of their own without changing any packet's path: a new chain or set is empty and
    /// nothing refers to it until the rest applies, and declaring an existing chain again does nothing.
    /// </summary>
    public static (string Declarations, string Changes) SplitDeclarations(string diff, int minimumDeclarations)
    {
        int end = 0, declarations = 0;
        while (diff.AsSpan(end).StartsWith("add chain ", StringComparison.Ordinal) || diff.AsSpan(end).StartsWith("add set ", StringComparison.Ordinal))
        {
            var newline = diff.IndexOf('\n', end);
            if (newline < 0) break;
            end = newline + 1;
            declarations++;
        }
        return declarations >= minimumDeclarations ? (diff[..end], diff[end..]) : ("", diff);
    }

    /// <summary>Whether an affinity set kept its name but not its timeout: a set's timeout cannot be changed in place.</summary>
    public static bool AffinityTimeoutChanged(ProxyRuleset previous, ProxyRuleset next) =>
        next.AffinitySets.Any(s => previous.AffinitySets.TryGetValue(s.Key, out var old) && old != s.Value);

    /// <summary>
    /// The chains with their balancing rule (an anonymous verdict map) ahead of the others, in a stable order. For each
    /// anonymous set a rule binds, the kernel walks the whole transaction built so far; a burst of 1,000 services holds
    /// 1,000 such sets and 30,000 other lines, and binding the sets before the endpoint chains' rules are queued saves
    /// about a tenth of nft's time for such a burst.
    /// </summary>
    private static List<KeyValuePair<string, string[]>> BalancingFirst(IEnumerable<KeyValuePair<string, string[]>> chains) =>
        [.. chains.OrderBy(c => ProxyNames.IsBalancingChain(c.Key) ? 0 : 1)];

    private static void WriteFixedPart(StringBuilder text, ServiceProxyOptions options)
    {
        var nodePortAddresses = options.NodePortAddresses.Count > 0 ? options.NodePortAddresses : options.NodeIPs;
        // NodePorts on the chosen addresses, or, with none given, on every local address except loopback (kube-proxy's "all").
        var nodePortMatch = nodePortAddresses.Count > 0
            ? $"ip daddr @{ProxyNames.NodePortIPsSet}"
            : "fib daddr type local ip daddr != 127.0.0.0/8";
        if (nodePortAddresses.Count > 0)
        {
            text.Append($"\tset {ProxyNames.NodePortIPsSet} {{ type ipv4_addr; elements = {{ ")
                .AppendJoin(", ", nodePortAddresses.Select(a => a.ToString())).Append(" }; }\n");
        }
        text.Append($"\tmap {ProxyNames.ServiceIPsMap} {{ type {ServiceKeyType}; }}\n");
        text.Append($"\tmap {ProxyNames.ServiceNodePortsMap} {{ type {NodePortKeyType}; }}\n");
        text.Append($"\tmap {ProxyNames.NoEndpointServicesMap} {{ type {ServiceKeyType}; }}\n");
        text.Append($"\tmap {ProxyNames.NoEndpointNodePortsMap} {{ type {NodePortKeyType}; }}\n");

        // Filter chains run before DNAT (dstnat - 10) so they see the service address, and only they may reject.
        var localhostGuard = options.LocalhostNodePorts
            // route_localnet would let other machines reach 127.0.0.0/8 services: drop that unless we DNATed it (as kube-proxy's iptables mode).
            ? "\t\tip daddr 127.0.0.0/8 ip saddr != 127.0.0.0/8 ct state new ct status & dnat == 0 drop\n"
            : "";
        text.Append($"\tchain filter-input {{\n\t\ttype filter hook input priority -110; policy accept;\n\t\tct state new jump {ProxyNames.EndpointsCheckChain}\n{localhostGuard}\t}}\n");
        text.Append($"\tchain filter-forward {{\n\t\ttype filter hook forward priority -110; policy accept;\n\t\tct state new jump {ProxyNames.EndpointsCheckChain}\n\t}}\n");
        text.Append($"\tchain filter-output {{\n\t\ttype filter hook output priority -110; policy accept;\n\t\tct state new jump {ProxyNames.EndpointsCheckChain}\n\t}}\n");
        text.Append($"\tchain nat-prerouting {{\n\t\ttype nat hook prerouting priority -100; policy accept;\n\t\tjump {ProxyNames.ServicesChain}\n\t}}\n");
        // Localhost NodePorts exist only for the node's own processes, so only the output hook looks at 127.0.0.0/8.
        var localhostNodePorts = options.LocalhostNodePorts
            ? $"\t\tip daddr 127.0.0.0/8 meta l4proto . th dport vmap @{ProxyNames.ServiceNodePortsMap}\n"
            : "";
        text.Append($"\tchain nat-output {{\n\t\ttype nat hook output priority -100; policy accept;\n\t\tjump {ProxyNames.ServicesChain}\n{localhostNodePorts}\t}}\n");
        text.Append($"\tchain nat-postrouting {{\n\t\ttype nat hook postrouting priority 100; policy accept;\n\t\tjump {ProxyNames.MasqueradingChain}\n\t}}\n");
        // kube-proxy masquerades fully-random, so that concurrent flows of different pods cannot race for one source
        // port. The node's own connections (a local source address) keep their port instead: their tuples are already
        // unique, and with a random port every new connection reusing a host port lands on another of the pod's
        // TIME_WAIT sockets, left by a different host connection whose TCP timestamps carry another random offset
        // (per connection again since the 2026 kernel change "tcp: secure_seq: add back ports to TS offset", in 6.18.x
        // stable); the pod rejects such a SYN (PAWS), and a second rejection costs the client a second.
        text.Append($"\tchain {ProxyNames.MasqueradingChain} {{\n\t\tmeta mark & {MasqueradeMark} == 0 return\n\t\tmeta mark set meta mark ^ {MasqueradeMark}\n" +
                    "\t\tfib saddr type local masquerade\n\t\tmasquerade fully-random\n\t}\n");
        text.Append($"\tchain {ProxyNames.MarkMasqueradeChain} {{\n\t\tmeta mark set meta mark | {MasqueradeMark}\n\t}}\n");
        text.Append($"\tchain {ProxyNames.RejectChain} {{\n\t\treject\n\t}}\n");
        text.Append($"\tchain {ProxyNames.ServicesChain} {{\n\t\tip daddr . meta l4proto . th dport vmap @{ProxyNames.ServiceIPsMap}\n" +
                    $"\t\t{nodePortMatch} meta l4proto . th dport vmap @{ProxyNames.ServiceNodePortsMap}\n\t}}\n");
        var localhostNoEndpoints = options.LocalhostNodePorts
            ? $"\t\tip daddr 127.0.0.0/8 meta l4proto . th dport vmap @{ProxyNames.NoEndpointNodePortsMap}\n"
            : "";
        text.Append($"\tchain {ProxyNames.EndpointsCheckChain} {{\n\t\tip daddr . meta l4proto . th dport vmap @{ProxyNames.NoEndpointServicesMap}\n" +
                    $"\t\t{nodePortMatch} meta l4proto . th dport vmap @{ProxyNames.NoEndpointNodePortsMap}\n{localhostNoEndpoints}\t}}\n");
    }

    private static string AffinitySetDefinition(string set, int timeout) =>
        $"set {set} {{ type ipv4_addr; flags dynamic,timeout; timeout {timeout}s; }}";

    private static string AffinitySetDefinitionFor(string table, string set, int timeout) =>
        $"set ip {table} {set} {{ type ipv4_addr; flags dynamic,timeout; timeout {timeout}s; }}";

    private static void AppendElements(StringBuilder text, string verb, string table, string map, IEnumerable<string> elements) =>
        text.Append(verb).Append(" element ip ").Append(table).Append(' ').Append(map).Append(" { ").AppendJoin(", ", elements).Append(" }\n");
}
