using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gantry.ApiServer.Proxy;
using Gantry.Client;
using Gantry.Node;
using Gantry.Node.Images;
using Gantry.Node.Network;
using Gantry.Node.Network.Overlay;
using Gantry.Node.Pods;
using Gantry.Node.Runtime;
using Gantry.Node.Streaming;
using Gantry.Node.Volumes;
using Microsoft.Extensions.Logging;

namespace Gantry.Cli;

/// <summary>
/// The node agent over this machine's real parts: runc + conmon, the image store, CNI, the volume manager, the
/// streaming server (logs/exec/port-forward, reached by the API server with a certificate of the cluster CA), the
/// local-path provisioner, the service proxy and node-local cluster DNS. A missing runc, conmon or CNI plugin stops it
/// with the Debian package to install; there is no fallback to anything less isolated.
/// </summary>
internal static class AgentHost
{
    /// <summary>
    /// Runs the agent until cancelled. The streaming server presents <paramref name="servingCertificate"/> (issued at
    /// join) or else one signed by <paramref name="clusterCa"/> when it carries its key.
    /// </summary>
    public static async Task RunAsync(IApiClient client, NodeAgentOptions options, NodePaths paths, X509Certificate2 clusterCa, ILoggerFactory loggers,
        CancellationToken cancellationToken, X509Certificate2? servingCertificate = null)
    {
        var time = TimeProvider.System;
        // Resolved once, before the cluster DNS interface exists, so the agent and the proxy agree on it.
        options = options with { NodeIp = options.NodeIp ?? MachineInfo.DetectNodeIp() };
        var networkServices = new NodeNetworkServices(client, NodeNetworkOptions.For(options), time, loggers);
        var runtime = new RuncRuntime(paths, loggers.CreateLogger<RuncRuntime>(), time);
        await using var overlay = await OverlayNetwork.StartAsync(client, new OverlayOptions { NodeName = options.NodeName, NodeIp = options.NodeIp,
            ClusterCidr = options.ClusterCidr, Backend = options.FlannelBackend }, loggers, time, cancellationToken);
        var network = new CniNetwork(paths, overlay?.PodNetworkOptions(new CniNetworkOptions()) ?? new CniNetworkOptions(), loggers.CreateLogger<CniNetwork>());
        using var images = new ImageService(paths, new ImageServiceOptions(), loggers.CreateLogger<ImageService>(), time);
        var volumes = new VolumeManager(paths, client, time, loggers.CreateLogger<VolumeManager>());
        await using var streaming = await StreamingServer.StartAsync(new StreamingServerOptions
        {
            Port = options.KubeletPort,
            ServingCertificate = servingCertificate ?? ServingCertificate(clusterCa, options, loggers.CreateLogger(typeof(AgentHost))),
            ClientCertificateAuthority = clusterCa,
        }, runtime, loggers, time, cancellationToken);
        await using var provisioner = new LocalPathProvisioner(client, paths, time, loggers);
        await using var agent = new NodeAgent(client, options with { KubeletPort = streaming.Port, EnsureClusterDns = networkServices.EnsureClusterDnsAsync }, paths, runtime, images, network, volumes, time, loggers);
        Console.WriteLine($"gantry: agent {options.NodeName} running (streaming on port {streaming.Port})");
        await Task.WhenAll(agent.RunAsync(cancellationToken), provisioner.RunAsync(cancellationToken), images.WatchDropDirAsync(cancellationToken),
            networkServices.RunAsync(cancellationToken));
    }

    /// <summary>
    /// A serving certificate the API server trusts: issued by the cluster CA when this machine holds its key (the server's
    /// own agent, or an agent on the server's machine). Elsewhere the agent serves a certificate of a throwaway CA, which the
    /// API server refuses: logs/exec/port-forward to such nodes need the join flow that hands out CA-signed certificates.
    /// </summary>
    private static X509Certificate2 ServingCertificate(X509Certificate2 clusterCa, NodeAgentOptions options, ILogger logger)
    {
        var addresses = NodeAddresses(options);
        if (clusterCa.HasPrivateKey) return KubeletCertificates.IssueKubeletServing(clusterCa, options.NodeName, addresses);
        logger.LogWarning("the cluster CA key is not on this machine: logs, exec and port-forward to node {Node} will be refused by the API server", options.NodeName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=gantry-agent-ca-{options.NodeName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        // The serving certificate's authority key identifier is taken from it.
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var throwaway = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        return KubeletCertificates.IssueKubeletServing(throwaway, options.NodeName, addresses);
    }

    /// <summary>The names the streaming server's certificate covers: this machine's IPv4 addresses, the node IP and the host name.</summary>
    public static IReadOnlyList<string> NodeAddresses(NodeAgentOptions options) =>
        LocalAddresses().Concat(options.NodeIp is null ? [] : [options.NodeIp]).Append(Dns.GetHostName()).Distinct().ToList();

    private static IEnumerable<string> LocalAddresses() => Gantry.Api.Net.HostAddresses.All()
        .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
        .Select(a => a.Address.ToString());

    /// <summary>The cluster CA from <paramref name="caFile"/>, with its private key when the key file sits next to it.</summary>
    public static X509Certificate2 LoadClusterCa(string caFile)
    {
        var keyFile = Path.Combine(Path.GetDirectoryName(caFile)!, "ca.key");
        return File.Exists(keyFile) ? X509Certificate2.CreateFromPemFile(caFile, keyFile) : X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
    }
}
