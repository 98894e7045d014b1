using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gantry.Node.Streaming;

/// <summary>
/// Lets only the API server in: a TLS client certificate issued by the cluster CA with an allowed common name, or
/// the bearer token the agent was given. No or bad credentials: 401; a valid certificate of someone else: 403.
/// </summary>
internal sealed class CallerAuthenticator(X509Certificate2? clientCa, IReadOnlyCollection<string> allowedNames, string? bearerToken)
{
    /// <summary>200 when the caller may proceed, else 401 or 403.</summary>
    public int Check(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (bearerToken is not null && header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            var given = Encoding.UTF8.GetBytes(header[7..].Trim());
            return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(bearerToken)) ? 200 : 401;
        }
        var certificate = context.Connection.ClientCertificate;
        if (certificate is null || clientCa is null || !IssuedByCa(certificate, clientCa)) return 401;
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return allowedNames.Count == 0 || allowedNames.Contains(name) ? 200 : 403;
    }

    private static bool IssuedByCa(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return chain.Build(certificate);
    }
}
