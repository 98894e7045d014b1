using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gantry.ApiServer.Proxy;

/// <summary>
/// How the API server reaches agents' streaming servers: TLS with its kubelet client certificate, and the agent's
/// serving certificate verified against the cluster CA (chain and host name) — an agent must present a certificate
/// the cluster CA issued (<see cref="KubeletCertificates.IssueKubeletServing"/>).
/// </summary>
public sealed class KubeletConnector : IDisposable
{
    private readonly X509Certificate2 _clientCertificate;
    private readonly X509Certificate2 _ca;

    /// <summary>Creates the connector with the cluster CA (which also issues the client certificate).</summary>
    public KubeletConnector(X509Certificate2 ca)
    {
        _ca = ca;
        _clientCertificate = KubeletCertificates.IssueApiServerClient(ca);
        Http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = Options(null),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // log follows last as long as the container runs
        };
    }

    /// <summary>An HTTP client for plain requests (logs).</summary>
    public HttpClient Http { get; }

    /// <summary>A TLS connection speaking HTTP/1.1 (for upgrades) to host:port.</summary>
    public async Task<SslStream> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await tcp.ConnectAsync(host, port, timeout.Token);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            var options = Options(host);
            options.ApplicationProtocols = [SslApplicationProtocol.Http11];
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
            return tls;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private SslClientAuthenticationOptions Options(string? host) => new()
    {
        TargetHost = host,
        ClientCertificates = [_clientCertificate],
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { _ca },
            RevocationMode = X509RevocationMode.NoCheck,
        },
    };

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose()
    {
        Http.Dispose();
        _clientCertificate.Dispose();
    }
}
