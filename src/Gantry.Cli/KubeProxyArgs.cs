using System.CommandLine;

namespace Gantry.Cli;

/// <summary>
/// k3s's <c>--kube-proxy-arg key=value</c> (repeatable): the kube-proxy flags the agent's service proxy honours. Any other
/// key is refused by name rather than silently ignored.
/// </summary>
internal sealed record KubeProxyArgs(TimeSpan SyncPeriod, TimeSpan MinSyncPeriod)
{
    private const string SyncPeriodKey = "nftables-sync-period";
    private const string MinSyncPeriodKey = "nftables-min-sync-period";

    /// <summary>kube-proxy's defaults for the nftables mode.</summary>
    public static KubeProxyArgs Defaults { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));

    /// <summary>The flag; its value is <see cref="Defaults"/> with every given key applied.</summary>
    public static Option<KubeProxyArgs> Option() => new("--kube-proxy-arg")
    {
        Description = $"Customized flag for the service proxy (repeatable, key=value): {SyncPeriodKey}, {MinSyncPeriodKey}",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => Defaults,
        CustomParser = result =>
        {
            var args = Defaults;
            foreach (var token in result.Tokens)
            {
                if (Apply(args, token.Value, out var error) is { } applied) args = applied;
                else result.AddError(error!);
            }
            return args;
        },
    };

    /// <summary><paramref name="args"/> with one <c>key=value</c> applied, or null with the reason.</summary>
    internal static KubeProxyArgs? Apply(KubeProxyArgs args, string keyValue, out string? error)
    {
        error = null;
        var separator = keyValue.IndexOf('=', StringComparison.Ordinal);
        var key = separator < 0 ? keyValue : keyValue[..separator].TrimStart('-');
        var value = separator < 0 ? null : keyValue[(separator + 1)..];
        if (key is not (SyncPeriodKey or MinSyncPeriodKey))
        {
            error = $"--kube-proxy-arg \"{keyValue}\": unsupported kube-proxy flag \"{key}\" (supported: {SyncPeriodKey}, {MinSyncPeriodKey})";
            return null;
        }
        if (!GoDuration.TryParse(value, out var duration) || (key == SyncPeriodKey && duration <= TimeSpan.Zero))
        {
            error = $"--kube-proxy-arg \"{keyValue}\": invalid duration \"{value}\" for {key} (e.g. 30s, 500ms)";
            return null;
        }
        return key == SyncPeriodKey ? args with { SyncPeriod = duration } : args with { MinSyncPeriod = duration };
    }
}
