using System.CommandLine;
using Gantry.Cli;

namespace Gantry.Simulation.Tests;

/// <summary>The agent's <c>--kube-proxy-arg</c>, parsed as the real command line parses it.</summary>
public sealed class KubeProxyArgsTests
{
    private readonly AgentFlags _flags = new();

    private ParseResult Parse(string flags)
    {
        var command = new RootCommand();
        foreach (var option in _flags.All) command.Options.Add(option);
        return command.Parse(flags);
    }

    [Fact]
    public void WithoutTheFlag_TheProxyKeepsKubeProxysDefaults()
    {
        var options = _flags.Options(Parse(""));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)), (options.ProxySyncPeriod, options.ProxyMinSyncPeriod));
    }

    [Fact]
    public void EachKeyValue_SetsItsKubeProxyFlag()
    {
        var result = Parse("--kube-proxy-arg nftables-min-sync-period=200ms --kube-proxy-arg=nftables-sync-period=1m");
        Assert.Empty(result.Errors);
        var options = _flags.Options(result);
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200)), (options.ProxySyncPeriod, options.ProxyMinSyncPeriod));
    }

    [Theory]
    [InlineData("--kube-proxy-arg proxy-mode=iptables", "unsupported kube-proxy flag \"proxy-mode\"")]
    [InlineData("--kube-proxy-arg nftables-min-sync-period=soon", "invalid duration \"soon\"")]
    [InlineData("--kube-proxy-arg nftables-sync-period=0", "invalid duration \"0\"")]
    [InlineData("--kube-proxy-arg nftables-min-sync-period", "invalid duration \"\"")]
    public void BadValues_AreRefusedNamingTheFlag(string flags, string reason)
    {
        var error = Assert.Single(Parse(flags).Errors);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
