using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Gantry.Node.Streaming;

/// <summary>Settings of the agent's streaming server (the kubelet's port).</summary>
public sealed record StreamingServerOptions
{
    /// <summary>Address to listen on (all by default, as the kubelet).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Port to listen on (10250, the kubelet's; 0 picks a free one).</summary>
    public int Port { get; init; } = 10250;

    /// <summary>The TLS serving certificate with its private key.</summary>
    public required X509Certificate2 ServingCertificate { get; init; }

    /// <summary>The cluster CA: client certificates it issued are accepted (with an allowed name).</summary>
    public X509Certificate2? ClientCertificateAuthority { get; init; }

    /// <summary>Common names of client certificates allowed in (the API server's kubelet client); empty allows any the CA issued.</summary>
    public IReadOnlyList<string> AllowedClientNames { get; init; } = ["kube-apiserver-kubelet-client"];

    /// <summary>A bearer token that is accepted instead of a client certificate; null accepts none.</summary>
    public string? BearerToken { get; init; }

    /// <summary>How long a SPDY client has to open its streams (the kubelet's streamCreationTimeout).</summary>
    public TimeSpan StreamCreationTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
