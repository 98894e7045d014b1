using System.Net;

namespace Gantry.ApiServer;

/// <summary>Settings of the API server, named after k3s's flags.</summary>
public sealed record ServerOptions
{
    /// <summary>Where certificates, credentials and the SQLite store live.</summary>
    public required string DataDir { get; init; }

    /// <summary>Address the HTTPS listener binds (k3s default 0.0.0.0).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Address written into the kubeconfig and advertised to agents; null = loopback or the bind address.</summary>
    public string? AdvertiseAddress { get; init; }

    /// <summary>Extra subject alternative names of the serving certificate.</summary>
    public IReadOnlyList<string> TlsSans { get; init; } = [];

    /// <summary>HTTPS port (6443).</summary>
    public int HttpsPort { get; init; } = 6443;

    /// <summary>Where the admin kubeconfig is written; null = &lt;data-dir&gt;/kubeconfig.yaml.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Store location: null or empty = SQLite in the data dir; <c>sqlite://path</c>; <c>memory://</c>.</summary>
    public string? DatastoreEndpoint { get; init; }

    /// <summary>How often watch streams send a bookmark when the client allows them.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many recent events each resource's watch cache keeps for watches that resume.</summary>
    public int WatchCacheEvents { get; init; } = 10_000;

    /// <summary>IPv4 range Services get cluster IPs from (k3s default); the first address is the kubernetes service's.</summary>
    public string ServiceCidr { get; init; } = "10.43.0.0/16";

    /// <summary>Ports NodePort and LoadBalancer Services open on every node (Kubernetes default).</summary>
    public string ServiceNodePortRange { get; init; } = "30000-32767";

    /// <summary>--cluster-dns: the kube-dns Service's cluster IP (k3s default); null creates no kube-dns Service.</summary>
    public string? ClusterDns { get; init; } = "10.43.0.10";

    /// <summary>The kubeconfig path that will be written.</summary>
    public string EffectiveKubeconfigPath => KubeconfigPath ?? Path.Combine(DataDir, "kubeconfig.yaml");
}
