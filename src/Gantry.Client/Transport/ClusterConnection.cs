using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gantry.Client.Transport;

/// <summary>How to reach one API server: its URL, the CA to trust and the credentials to present.</summary>
public sealed record ClusterConnection
{
    /// <summary>The server URL, e.g. https://127.0.0.1:6443.</summary>
    public required Uri Server { get; init; }

    /// <summary>The CA certificates the server's certificate must chain to; empty = the system trust store.</summary>
    public X509Certificate2Collection CertificateAuthorities { get; init; } = [];

    /// <summary>A bearer token sent on every request.</summary>
    public string? BearerToken { get; init; }

    /// <summary>A client certificate (with private key) for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Skip server certificate checks (kubeconfig insecure-skip-tls-verify); never the default.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>
    /// A pooled HTTP/2 handler (several connections when one's stream limit is reached, so hundreds of watches fit)
    /// that trusts only <see cref="CertificateAuthorities"/> and presents <see cref="ClientCertificate"/>.
    /// </summary>
    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        if (ClientCertificate is not null) handler.SslOptions.ClientCertificates = [ClientCertificate];
        if (InsecureSkipTlsVerify) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        else if (CertificateAuthorities.Count > 0)
        {
            var roots = CertificateAuthorities;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && ChainsTo(certificate as X509Certificate2 ?? new X509Certificate2(certificate), roots, errors);
        }
        return handler;
    }

    // Pinning: the server certificate must chain to the kubeconfig's CA alone, not to any system root.
    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
