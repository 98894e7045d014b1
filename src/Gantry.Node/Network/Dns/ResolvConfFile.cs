namespace Gantry.Node.Network.Dns;

/// <summary>
/// The three things a resolver reads from resolv.conf, parsed as the kubelet parses them: nameserver lines
/// accumulate, the last search line wins (trailing dots trimmed), the last options line wins.
/// </summary>
internal sealed record ResolvConfFile(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    /// <summary>An empty configuration.</summary>
    public static ResolvConfFile Empty { get; } = new([], [], []);

    /// <summary>Reads <paramref name="path"/>; a missing file is empty, as a host without resolv.conf resolves nothing.</summary>
    public static ResolvConfFile Read(string path) => File.Exists(path) ? Parse(File.ReadAllText(path)) : Empty;

    /// <summary>Parses resolv.conf text.</summary>
    public static ResolvConfFile Parse(string text)
    {
        var nameservers = new List<string>();
        IReadOnlyList<string> searches = [];
        IReadOnlyList<string> options = [];
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith('#')) continue;
            var fields = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            switch (fields[0])
            {
                case "nameserver" when fields.Length >= 2:
                    nameservers.Add(fields[1]);
                    break;
                case "search":
                    searches = [.. fields.Skip(1).Select(s => s.EndsWith('.') ? s[..^1] : s)];
                    break;
                case "options":
                    options = fields[1..];
                    break;
            }
        }
        return new ResolvConfFile(nameservers, searches, options);
    }
}
