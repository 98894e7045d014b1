using Gantry.Client.Transport;

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
    public static RootCaPublisherOptions FromKubeconfig(string path, string? context = null) =>
        new(Kubeconfig.Read(path, context).CertificateAuthorityPem
            ?? throw new InvalidOperationException($"{path}: the context's cluster names no certificate authority"));
}
