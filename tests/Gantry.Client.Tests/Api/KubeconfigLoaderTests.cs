using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gantry.Client.Transport;

namespace Gantry.Client.Tests.Api;

public sealed class KubeconfigLoaderTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Load_WithClientCertificateData_GivesACertificateWithItsKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=agent", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var dir = Directory.CreateTempSubdirectory("gantry-kubeconfig-");
        try
        {
            var path = Path.Combine(dir.FullName, "config");
            File.WriteAllText(path, $"""
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster:
                    server: https://127.0.0.1:6443/
                    certificate-authority-data: {B64(cert.ExportCertificatePem())}
                users:
                - name: u
                  user:
                    client-certificate-data: {B64(cert.ExportCertificatePem())}
                    client-key-data: {B64(key.ExportPkcs8PrivateKeyPem())}
                contexts:
                - name: ctx
                  context: {"{"}cluster: c, user: u{"}"}
                current-context: ctx
                """);

            var connection = KubeconfigLoader.Load(path);

            Assert.Equal(new Uri("https://127.0.0.1:6443"), connection.Server);
            Assert.Null(connection.BearerToken);
            Assert.True(connection.ClientCertificate!.HasPrivateKey);
            Assert.Equal("CN=agent", connection.ClientCertificate.Subject);
            Assert.Single(connection.CertificateAuthorities);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
