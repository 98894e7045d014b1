using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace Gantry.Client.Transport;

/// <summary>Reads a kubeconfig file (server, certificate-authority(-data), token, client certificate) into a <see cref="ClusterConnection"/>.</summary>
public static class KubeconfigLoader
{
    /// <summary>Loads the given context of the kubeconfig at <paramref name="path"/> (its current context when null).</summary>
    public static ClusterConnection Load(string path, string? context = null)
    {
        var kubeconfig = Kubeconfig.Read(path, context);
        return kubeconfig.NeedsFullLoader ? LoadWithKubernetesClient(path, context) : new ClusterConnection
        {
            Server = new Uri(kubeconfig.Server.TrimEnd('/')),
            CertificateAuthorities = Certificates(kubeconfig.CertificateAuthorityPem),
            BearerToken = kubeconfig.Token,
            ClientCertificate = ClientCertificate(kubeconfig.ClientCertificatePem, kubeconfig.ClientKeyPem),
            InsecureSkipTlsVerify = kubeconfig.InsecureSkipTlsVerify,
        };
    }

    // Exec plugins, auth providers and basic auth: KubernetesClient runs or converts them into a token.
    private static ClusterConnection LoadWithKubernetesClient(string path, string? context)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
        var server = config.Host ?? throw new InvalidOperationException($"{path}: the context has no cluster server");
        return new ClusterConnection
        {
            Server = new Uri(server.TrimEnd('/')),
            CertificateAuthorities = config.SslCaCerts ?? [],
            BearerToken = string.IsNullOrEmpty(config.AccessToken) ? null : config.AccessToken,
            ClientCertificate = ClientCertificate(
                Pem(config.ClientCertificateData, config.ClientCertificateFilePath), Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath)),
            InsecureSkipTlsVerify = config.SkipTlsVerify,
        };
    }

    private static X509Certificate2Collection Certificates(string? pem)
    {
        var certificates = new X509Certificate2Collection();
        if (pem is not null) certificates.ImportFromPem(pem);
        return certificates;
    }

    private static X509Certificate2? ClientCertificate(string? certPem, string? keyPem)
    {
        if (certPem is null || keyPem is null) return null;
        using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);
        // SslStream on Linux wants a key it can hand to OpenSSL; a PKCS#12 round trip gives it one.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private static string? Pem(string? base64Data, string? filePath)
    {
        if (!string.IsNullOrEmpty(base64Data)) return Encoding.UTF8.GetString(Convert.FromBase64String(base64Data));
        return string.IsNullOrEmpty(filePath) ? null : File.ReadAllText(filePath);
    }
}
