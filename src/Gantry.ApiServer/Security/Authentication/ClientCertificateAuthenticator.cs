using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gantry.ApiServer.Security.Authentication;

/// <summary>
/// Authenticates TLS client certificates signed by the cluster CA, as Kubernetes' x509 authenticator: the subject's
/// common name is the user, its organizations the groups. Kestrel only asks for a certificate (it accepts any); the
/// chain, lifetime and client-auth usage are checked here, once per connection's certificate.
/// </summary>
internal sealed class ClientCertificateAuthenticator(X509Certificate2 clusterCa, TimeProvider time)
{
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly ConditionalWeakTable<X509Certificate2, Verified> _verified = [];

    /// <summary>The identity of a certificate of the cluster CA, or null.</summary>
    public UserInfo? Authenticate(X509Certificate2 certificate)
    {
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(certificate, out var known) && now < known.Until) return known.User;
        var user = Verify(certificate, now);
        _verified.AddOrUpdate(certificate, new Verified(user, user is null ? now.AddSeconds(10) : certificate.NotAfter.ToUniversalTime()));
        return user;
    }

    private UserInfo? Verify(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime()) return null;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(clusterCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (!chain.Build(certificate)) return null;
        string? name = null;
        var groups = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements) continue;
            var value = rdn.GetSingleElementValue();
            if (string.IsNullOrEmpty(value)) continue;
            switch (rdn.GetSingleElementType().Value)
            {
                case CommonNameOid: name = value; break;
                case OrganizationOid: groups.Add(value); break;
            }
        }
        return string.IsNullOrEmpty(name) ? null : new UserInfo(name, groups);
    }

    private sealed record Verified(UserInfo? User, DateTimeOffset Until);
}
