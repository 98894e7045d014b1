using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gantry.ApiServer.Security;

/// <summary>
/// The cluster CA and the API server's serving certificate, generated in the data dir at first start (CA valid 10
/// years, serving certificate 1 year, renewed at start when it expires within 90 days or misses a wanted name).
/// </summary>
public sealed class CertificateAuthority
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(90);

    private CertificateAuthority(X509Certificate2 ca, X509Certificate2 serving)
    {
        Certificate = ca;
        ServingCertificate = serving;
    }

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The serving certificate with its private key.</summary>
    public X509Certificate2 ServingCertificate { get; }

    /// <summary>The CA certificate in PEM form (for kubeconfigs and pods' ca.crt).</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>Loads or creates the CA and serving certificate under <c>&lt;dataDir&gt;/tls</c>.</summary>
    public static CertificateAuthority LoadOrCreate(string dataDir, IEnumerable<string> extraNames)
    {
        var dir = Path.Combine(dataDir, "tls");
        Directory.CreateDirectory(dir);
        var ca = LoadOrCreateCa(dir);
        var names = WantedNames(extraNames);
        var servingPath = Path.Combine(dir, "serving.crt");
        var servingKeyPath = Path.Combine(dir, "serving.key");
        X509Certificate2? serving = null;
        if (File.Exists(servingPath) && File.Exists(servingKeyPath))
        {
            serving = X509Certificate2.CreateFromPemFile(servingPath, servingKeyPath);
            if (serving.NotAfter - DateTime.Now < RenewBefore || !CoversAll(serving, names)) serving = null;
        }
        serving ??= IssueServing(ca, names, servingPath, servingKeyPath);
        // Kestrel on Linux needs an exportable, persisted key; PKCS#12 round trip gives exactly that.
        serving = X509CertificateLoader.LoadPkcs12(serving.Export(X509ContentType.Pkcs12), null);
        return new CertificateAuthority(ca, serving);
    }

    private static X509Certificate2 LoadOrCreateCa(string dir)
    {
        var certPath = Path.Combine(dir, "ca.crt");
        var keyPath = Path.Combine(dir, "ca.key");
        if (File.Exists(certPath) && File.Exists(keyPath)) return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=gantry-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, ca.ExportCertificatePem());
        return ca;
    }

    private static X509Certificate2 IssueServing(X509Certificate2 ca, IReadOnlyCollection<string> names, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=gantry-apiserver", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip); else san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);
        var cert = signed.CopyWithPrivateKey(key);
        WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        return cert;
    }

    /// <summary>Every name the serving certificate must cover: host names and addresses, loopback, in-cluster names.</summary>
    private static List<string> WantedNames(IEnumerable<string> extraNames)
    {
        var names = new List<string>
        {
            "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
            "127.0.0.1", "::1", "10.43.0.1", Dns.GetHostName(),
        };
        foreach (var (_, address) in Gantry.Api.Net.HostAddresses.All())
        {
            if (!address.IsIPv6LinkLocal) names.Add(address.ToString());
        }
        names.AddRange(extraNames);
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static bool CoversAll(X509Certificate2 cert, IEnumerable<string> names)
    {
        var ext = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (ext is null) return false;
        var have = new HashSet<string>(ext.EnumerateDnsNames(), StringComparer.OrdinalIgnoreCase);
        foreach (var ip in ext.EnumerateIPAddresses()) have.Add(ip.ToString());
        return names.All(have.Contains);
    }

    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, content);
    }
}
