using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gantry.ApiServer.Proxy;

/// <summary>
/// Certificates of the API server ↔ agent link, issued by the cluster CA: the API server's client certificate
/// (CN kube-apiserver-kubelet-client, as Kubernetes names it), nodes' client certificates (CN system:node:NAME,
/// O system:nodes, as kubelets' are) and agents' serving certificates.
/// </summary>
public static class KubeletCertificates
{
    /// <summary>The common name the agent's streaming server lets in.</summary>
    public const string ApiServerClientName = "kube-apiserver-kubelet-client";

    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>A client certificate for the API server (1 year, in memory only: it is reissued at every start).</summary>
    public static X509Certificate2 IssueApiServerClient(X509Certificate2 ca) =>
        Issue(ca, key => Sign(ca, new X500DistinguishedName($"CN={ApiServerClientName}, O=kubeadm:cluster-admins"), ClientAuth, null, key));

    /// <summary>A serving certificate (with a new key) for an agent's streaming server covering its node name and addresses.</summary>
    public static X509Certificate2 IssueKubeletServing(X509Certificate2 ca, string nodeName, IEnumerable<string> addresses) =>
        Issue(ca, key => SignKubeletServing(ca, nodeName, addresses, key));

    /// <summary>A node's client certificate (with a new key): user system:node:NAME in group system:nodes.</summary>
    public static X509Certificate2 IssueNodeClient(X509Certificate2 ca, string nodeName) => Issue(ca, key => SignNodeClient(ca, nodeName, key));

    /// <summary>Signs a node's client certificate for the public key of its signing request.</summary>
    public static X509Certificate2 SignNodeClient(X509Certificate2 ca, string nodeName, PublicKey key) =>
        Sign(ca, NodeSubject(nodeName), ClientAuth, null, key);

    /// <summary>Signs an agent's serving certificate for its node name and addresses (IPs become IP SANs, the rest DNS SANs).</summary>
    public static X509Certificate2 SignKubeletServing(X509Certificate2 ca, string nodeName, IEnumerable<string> addresses, PublicKey key)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(nodeName);
        foreach (var address in addresses.Where(a => a != nodeName).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(address, out var ip)) san.AddIpAddress(ip); else san.AddDnsName(address);
        }
        return Sign(ca, NodeSubject(nodeName), ServerAuth, san.Build(), key);
    }

    private static X500DistinguishedName NodeSubject(string nodeName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName("system:nodes");
        builder.AddCommonName("system:node:" + nodeName);
        return builder.Build();
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, Func<PublicKey, X509Certificate2> sign)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signed = sign(new PublicKey(key));
        using var withKey = signed.CopyWithPrivateKey(key);
        // TLS on Linux wants a key it can export; a PKCS#12 round trip gives one.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Sign(X509Certificate2 ca, X500DistinguishedName subject, string usage, X509Extension? san, PublicKey key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (san is not null) request.CertificateExtensions.Add(san);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        return request.Create(ca, now.AddMinutes(-5), now + Lifetime, serial);
    }
}
