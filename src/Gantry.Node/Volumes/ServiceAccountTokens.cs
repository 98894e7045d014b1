using System.Collections.Concurrent;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>
/// The kubelet's token manager: bound service account tokens from the TokenRequest API, cached per pod, service account,
/// audience and lifetime, and requested anew once 80% of their life has passed or they are older than 24 hours.
/// </summary>
internal sealed class ServiceAccountTokens(IApiClient client, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);
    private readonly ConcurrentDictionary<Key, Authenticationv1TokenRequest> _cache = new();

    private readonly record struct Key(string Namespace, string ServiceAccount, string PodUid, string? Audience, long ExpirationSeconds);

    /// <summary>A valid token for the pod's service account, bound to the pod.</summary>
    public async Task<string> GetAsync(V1Pod pod, string? audience, long expirationSeconds, CancellationToken cancellationToken)
    {
        var serviceAccount = string.IsNullOrEmpty(pod.Spec.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName;
        var key = new Key(pod.Metadata.NamespaceProperty, serviceAccount, pod.Metadata.Uid, audience, expirationSeconds);
        if (_cache.TryGetValue(key, out var cached) && !RequiresRefresh(cached)) return cached.Status.Token;
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = string.IsNullOrEmpty(audience) ? [] : [audience],
                ExpirationSeconds = expirationSeconds,
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            },
        };
        var answer = await client.CreateTokenAsync(key.Namespace, serviceAccount, request, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(answer.Status?.Token)) throw new VolumeSourceException($"the token request of service account {key.Namespace}/{serviceAccount} returned no token");
        _cache[key] = answer;
        return answer.Status.Token;
    }

    /// <summary>Forgets the tokens of a pod that is gone.</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _cache.Keys.Where(k => k.PodUid == podUid)) _cache.TryRemove(key, out _);
    }

    private bool RequiresRefresh(Authenticationv1TokenRequest token)
    {
        if (token.Spec?.ExpirationSeconds is not { } seconds || token.Status?.ExpirationTimestamp is not { } expires) return true;
        var now = time.GetUtcNow().UtcDateTime;
        var expiresUtc = DateTime.SpecifyKind(expires, DateTimeKind.Utc);
        var issued = expiresUtc.AddSeconds(-seconds);
        return now > issued + MaxAge || now > expiresUtc.AddSeconds(-seconds * 20 / 100);
    }
}
