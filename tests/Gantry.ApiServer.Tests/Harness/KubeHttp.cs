using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s;

namespace Gantry.ApiServer.Tests.Harness;

/// <summary>A raw <see cref="HttpClient"/> for a server, authenticated and trusting only the CA from its kubeconfig.</summary>
public static class KubeHttp
{
    /// <summary>Creates a client with the kubeconfig's bearer token; <paramref name="maxConnections"/> caps parallel HTTP/1.1 connections.</summary>
    public static HttpClient Create(GantryServer server, int maxConnections = 32, TimeSpan? timeout = null)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig);
        var roots = config.SslCaCerts ?? throw new InvalidOperationException("the kubeconfig has no certificate-authority-data");
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 cert && ChainsTo(cert, roots),
            },
        };
        var http = new HttpClient(handler) { BaseAddress = new Uri(server.Url), Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", config.AccessToken);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
