using System.Net;
using System.Text.Json.Nodes;
using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Network;

/// <summary>
/// Pod networking through the standard CNI plugins: every sandbox gets a veth on a per-node bridge with an address of the
/// node's pod CIDR (bridge + host-local), an up loopback, and its hostPorts (portmap). ADD results are cached on disk so
/// DEL sends the same configuration and prevResult, as libcni does, even after an agent restart.
/// </summary>
public sealed partial class CniNetwork : IPodNetwork
{
    private const string InterfaceName = "eth0";
    private readonly NodePaths _paths;
    private readonly CniNetworkOptions _options;
    private readonly ILogger _logger;
    private readonly CniPluginRunner _runner;
    private readonly CniResultCache _cache;
    // Plugins lock their own state, but serializing one node's ADD/DEL keeps portmap's shared chains free of races.
    private readonly SemaphoreSlim _lock = new(1, 1);
    private JsonObject? _config;

    /// <summary>The network of the node <paramref name="paths"/> describe; checks that the plugins are installed.</summary>
    public CniNetwork(NodePaths paths, CniNetworkOptions? options = null, ILogger<CniNetwork>? logger = null)
    {
        _paths = paths;
        _options = options ?? new CniNetworkOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        CniPlugins.EnsureInstalled(_options.PluginDir);
        _runner = new CniPluginRunner(_options.PluginDir);
        _cache = new CniResultCache(Path.Combine(paths.CniDataDir, "results"));
        BridgeName = CniNetworkConfig.BridgeName(paths.NodeName);
    }

    /// <summary>The Linux bridge of this node's pods.</summary>
    public string BridgeName { get; }

    /// <summary>The nftables table (ip family) of the node's pod masquerade rule, present while <see cref="CniNetworkOptions.IpMasq"/> is on.</summary>
    public string MasqueradeTable => PodMasquerade.TableName(_paths.NodeName);

    /// <summary>The CNI network name.</summary>
    public string NetworkName => _paths.CniNetworkName;

    /// <summary>Where the configuration list is written (for inspection; the agent keeps it in memory).</summary>
    public string ConfigPath => Path.Combine(_paths.CniDataDir, NetworkName + ".conflist");

    /// <inheritdoc />
    public async Task InitializeAsync(string podCidr, CancellationToken cancellationToken)
    {
        var subnet = IPNetwork.Parse(podCidr);
        var config = CniNetworkConfig.Build(_paths, _options, subnet);
        // Before the first pod connects; without masquerading a table of an earlier configuration must not linger.
        if (_options.IpMasq) await PodMasquerade.ApplyAsync(MasqueradeTable, subnet, cancellationToken).ConfigureAwait(false);
        else await PodMasquerade.RemoveAsync(MasqueradeTable, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(_paths.CniDataDir);
        var temporary = ConfigPath + ".tmp";
        await File.WriteAllTextAsync(temporary, config.ToJsonString(new() { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, ConfigPath, overwrite: true);
        Volatile.Write(ref _config, config);
        LogInitialized(_logger, NetworkName, podCidr, BridgeName);
    }

    /// <inheritdoc />
    public async Task<PodNetworkStatus> SetUpAsync(PodNetworkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = Volatile.Read(ref _config) ?? throw new InvalidOperationException("the pod network is not initialized: the node has no pod CIDR yet");
        var invocation = CniInvocation.For(request, request.NetworkNamespacePath);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A repeated ADD of a connected sandbox (a retried pod sync) would fail on the existing eth0: answer from the cache.
            if (File.Exists(request.NetworkNamespacePath) &&
                await _cache.LoadAsync(NetworkName, request.SandboxId, InterfaceName, cancellationToken).ConfigureAwait(false) is { Result: { } cachedResult })
            {
                return new PodNetworkStatus(Addresses(cachedResult));
            }
            JsonObject? result = null;
            try
            {
                foreach (var plugin in CniNetworkConfig.Plugins(config))
                {
                    // portmap's ADD without portMappings only echoes its prevResult: a pod without hostPorts skips the execution.
                    if (CniNetworkConfig.IsPortMap(plugin) && request.PortMappings.Count == 0) continue;
                    var pluginConfig = CniNetworkConfig.ForPlugin(config, plugin, result, request.PortMappings);
                    result = await _runner.RunAsync("ADD", pluginConfig, invocation, cancellationToken).ConfigureAwait(false) ?? result;
                }
                await BringUpLoopbackAsync(request.NetworkNamespacePath).ConfigureAwait(false);
                await _cache.SaveAsync(NetworkName, request.SandboxId, InterfaceName, new CniResultCache.Entry(config, request.PortMappings, result),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Undo what the plugins that succeeded did (address, veth, chains), as CRI runtimes do on a failed ADD.
                await DeleteAsync(invocation, new CniResultCache.Entry(config, request.PortMappings, result), CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            var ips = Addresses(result);
            LogSetUp(_logger, request.PodNamespace, request.PodName, string.Join(",", ips));
            return new PodNetworkStatus(ips);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public async Task TearDownAsync(PodNetworkRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A namespace that is already gone is passed as empty: the plugins then only release the address (CNI spec).
        var netns = File.Exists(request.NetworkNamespacePath) ? request.NetworkNamespacePath : "";
        var invocation = CniInvocation.For(request, netns);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cached = await _cache.LoadAsync(NetworkName, request.SandboxId, InterfaceName, cancellationToken).ConfigureAwait(false);
            var entry = cached ?? (Volatile.Read(ref _config) is { } config ? new CniResultCache.Entry(config, request.PortMappings, null) : null);
            if (entry is null)
            {
                // Never initialized and nothing cached: nothing of this sandbox can exist, except chains of an earlier run.
                await CniIptablesSweeper.SweepAsync(NetworkName, request.SandboxId, cancellationToken).ConfigureAwait(false);
                return;
            }
            await DeleteAsync(invocation, entry, cancellationToken).ConfigureAwait(false);
            _cache.Delete(NetworkName, request.SandboxId, InterfaceName);
            LogTornDown(_logger, request.PodNamespace, request.PodName);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Removes everything of this network from the host: the per-sandbox iptables chains, the masquerade table, the bridge, the IPAM leases,
    /// cached results and the configuration (agent uninstall, tests). Sandboxes still attached lose their network.
    /// </summary>
    public async Task RemoveAllAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CniIptablesSweeper.SweepAsync(NetworkName, null, cancellationToken).ConfigureAwait(false);
            await PodMasquerade.RemoveAsync(MasqueradeTable, cancellationToken).ConfigureAwait(false);
            var link = await HostCommand.RunAsync("ip", ["link", "delete", BridgeName, "type", "bridge"], null, cancellationToken).ConfigureAwait(false);
            if (!link.Succeeded && !link.Error.Contains("Cannot find device", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"could not delete the bridge {BridgeName}: {link.Error.Trim()}");
            }
            var leases = Path.Combine(CniNetworkConfig.IpamDataDir(_paths), NetworkName);
            if (Directory.Exists(leases)) Directory.Delete(leases, recursive: true);
            _cache.DeleteNetwork(NetworkName);
            // The agent may never have written its configuration (no pod CIDR yet): nothing to delete then.
            if (File.Exists(ConfigPath)) File.Delete(ConfigPath);
            Volatile.Write(ref _config, null);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>DEL through the plugins in reverse order, each with the cached ADD result, then sweeps leftover chains.</summary>
    private async Task DeleteAsync(CniInvocation invocation, CniResultCache.Entry entry, CancellationToken cancellationToken)
    {
        CniException? failure = null;
        foreach (var plugin in CniNetworkConfig.Plugins(entry.Config).Reverse())
        {
            try
            {
                var pluginConfig = CniNetworkConfig.ForPlugin(entry.Config, plugin, entry.Result, entry.PortMappings);
                await _runner.RunAsync("DEL", pluginConfig, invocation, cancellationToken).ConfigureAwait(false);
            }
            catch (CniException ex)
            {
                // Keep going: the address and the other plugins' state must still be released; report the first failure.
                failure ??= ex;
                LogDeleteFailed(_logger, invocation.ContainerId, ex);
            }
        }
        await CniIptablesSweeper.SweepAsync(NetworkName, invocation.ContainerId, cancellationToken).ConfigureAwait(false);
        if (failure is not null) throw failure;
    }

    // The loopback plugin's ADD (lo up; its result is not part of the pod network's), done in process.
    private static async Task BringUpLoopbackAsync(string netnsPath)
    {
        try
        {
            await ThreadNamespaces.RunAsync("netns-lo", () =>
            {
                NativeMethods.SetNamespace(netnsPath, NativeMethods.CloneNewNet);
                ThreadNamespaces.SetLoopbackUp();
            }).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new CniException("loopback", 999, ex.Message);
        }
    }

    /// <summary>The result's addresses without prefix length, IPv4 first (status.podIP is the primary one).</summary>
    private static List<string> Addresses(JsonObject? result) =>
        ((JsonArray?)result?["ips"] ?? []).Select(ip => ((string?)ip?["address"])?.Split('/')[0]).OfType<string>()
            .OrderBy(a => a.Contains(':', StringComparison.Ordinal)).ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "CNI network {Network} on {PodCidr} (bridge {Bridge})")]
    private static partial void LogInitialized(ILogger logger, string network, string podCidr, string bridge);

    [LoggerMessage(Level = LogLevel.Debug, Message = "pod {Namespace}/{Name} connected: {Ips}")]
    private static partial void LogSetUp(ILogger logger, string @namespace, string name, string ips);

    [LoggerMessage(Level = LogLevel.Debug, Message = "pod {Namespace}/{Name} disconnected")]
    private static partial void LogTornDown(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CNI DEL of sandbox {SandboxId} failed")]
    private static partial void LogDeleteFailed(ILogger logger, string sandboxId, Exception exception);
}
