using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gantry.ApiServer.Proxy;

/// <summary>
/// Certificates of the API server ↔ agent link, issued by the cluster CA: the API server's client certificate
/// (CN kube-apiserver-kubelet-client, as Kubernetes names it) and agents' serving certificates.
/// </summary>
public static class KubeletCertificates
{
    /// <summary>The common name the agent's streaming server lets in.</summary>
    public const string ApiServerClientName = "kube-apiserver-kubelet-client";

    /// <summary>A client certificate for the API server (1 year, in memory only: it is reissued at every start).</summary>
    public static X509Certificate2 IssueApiServerClient(X509Certificate2 ca) =>
        Issue(ca, $"CN={ApiServerClientName}, O=kubeadm:cluster-admins", "1.3.6.1.5.5.7.3.2", null);

    /// <summary>A serving certificate for an agent's streaming server covering its node name and addresses.</summary>
    public static X509Certificate2 IssueKubeletServing(X509Certificate2 ca, string nodeName, IEnumerable<string> addresses)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(nodeName);
        foreach (var address in addresses.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(address, out var ip)) san.AddIpAddress(ip); else san.AddDnsName(address);
        }
        return Issue(ca, $"CN=system:node:{nodeName}, O=system:nodes", "1.3.6.1.5.5.7.3.1", san.Build());
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, string usage, X509Extension? san)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (san is not null) request.CertificateExtensions.Add(san);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        // TLS on Linux wants a key it can export; a PKCS#12 round trip gives one.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
