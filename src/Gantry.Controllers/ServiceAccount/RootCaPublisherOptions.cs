using System.Text;
using k8s;

namespace Gantry.Controllers.ServiceAccount;

/// <summary>What the root CA publisher publishes: the cluster CA bundle, PEM encoded (kube-controller-manager's --root-ca-file).</summary>
/// <param name="RootCaPem">The CA certificates, PEM.</param>
public sealed record RootCaPublisherOptions(string RootCaPem)
{
    /// <summary>Workers (Kubernetes runs one).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>
    /// The CA of a kubeconfig's cluster (its current context unless <paramref name="context"/> is given), exactly as its
    /// certificate-authority-data (or certificate-authority file) holds it.
    /// </summary>
    public static RootCaPublisherOptions FromKubeconfig(string path, string? context = null)
    {
        var config = KubernetesClientConfiguration.LoadKubeConfig(path);
        var contextName = context ?? config.CurrentContext;
        var clusterName = config.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails?.Cluster
            ?? throw new InvalidOperationException($"{path}: no context {contextName}");
        var endpoint = config.Clusters?.FirstOrDefault(c => c.Name == clusterName)?.ClusterEndpoint
            ?? throw new InvalidOperationException($"{path}: no cluster {clusterName}");
        if (!string.IsNullOrEmpty(endpoint.CertificateAuthorityData))
            return new RootCaPublisherOptions(Encoding.UTF8.GetString(Convert.FromBase64String(endpoint.CertificateAuthorityData)));
        if (!string.IsNullOrEmpty(endpoint.CertificateAuthority))
        {
            var file = Path.IsPathRooted(endpoint.CertificateAuthority)
                ? endpoint.CertificateAuthority
                : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, endpoint.CertificateAuthority);
            return new RootCaPublisherOptions(File.ReadAllText(file));
        }
        throw new InvalidOperationException($"{path}: cluster {clusterName} names no certificate authority");
    }
}
