using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Security.Authentication;

/// <summary>
/// The authentication chain of a request: the admin token first (a constant-time compare, no allocation: the hot path
/// of the admin kubeconfig and benchmarks), then the TLS client certificate, then bearer tokens (service account JWTs,
/// bootstrap tokens). Verified tokens are remembered for a few seconds, as Kubernetes' token cache, so watch-heavy
/// clients do not pay a signature check per request.
/// </summary>
internal sealed class RequestAuthenticator(
    AdminCredentials admin,
    ClientCertificateAuthenticator certificates,
    ServiceAccountAuthenticator serviceAccounts,
    BootstrapTokenAuthenticator bootstrapTokens,
    TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private const int CacheLimit = 4096;
    private readonly ConcurrentDictionary<string, (UserInfo User, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    /// <summary>The request's identity, or null (the request gets 401).</summary>
    public UserInfo? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count == 1 && header[0] is { } value && value.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            var token = value.AsSpan(7).Trim();
            if (admin.Matches(token)) return UserInfo.Admin;
            // A client certificate wins over a bad token, as in Kubernetes' union of authenticators (x509 is tried first).
            if (context.Connection.ClientCertificate is { } presented && certificates.Authenticate(presented) is { } byCertificate) return byCertificate;
            return AuthenticateToken(token.ToString());
        }
        return context.Connection.ClientCertificate is { } certificate ? certificates.Authenticate(certificate) : null;
    }

    /// <summary>The identity of a bearer token (service account or bootstrap token), or null.</summary>
    public UserInfo? AuthenticateToken(string token)
    {
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(token, out var known) && now < known.Until) return known.User;
        UserInfo? user = null;
        var until = now + CacheFor;
        if (serviceAccounts.Authenticate(token, now) is { } account)
        {
            user = account.User;
            if (account.Expires < until) until = account.Expires;
        }
        else
        {
            user = bootstrapTokens.Authenticate(token, now);
        }
        if (user is null) return null;
        if (_tokens.Count >= CacheLimit) _tokens.Clear();
        _tokens[token] = (user, until);
        return user;
    }
}
