using System.Collections.Concurrent;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// Forwards questions outside the cluster zone to the upstream servers (UDP, retried over TCP when the answer comes
/// back truncated) and caches their answers for their TTL (at most <see cref="ClusterDnsOptions.CacheMaxTtl"/>),
/// negative answers for their SOA's minimum, like CoreDNS's forward and cache plugins.
/// </summary>
internal sealed class UpstreamForwarder
{
    private readonly DnsClient? _client;
    private readonly ClusterDnsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<(string Name, RecordType Type, RecordClass Class), (UpstreamAnswer Answer, long ExpiresAt)> _cache = new();

    public UpstreamForwarder(IReadOnlyList<IPAddress> servers, ClusterDnsOptions options, TimeProvider time, ILogger log)
    {
        _options = options;
        _time = time;
        _log = log;
        Servers = servers;
        if (servers.Count > 0)
        {
            IClientTransport[] transports = [new UdpClientTransport(options.UpstreamPort), new TcpClientTransport(options.UpstreamPort)];
            _client = new DnsClient(servers, transports, false, (int)options.UpstreamTimeout.TotalMilliseconds);
        }
    }

    /// <summary>The upstream servers, in the order they are tried.</summary>
    public IReadOnlyList<IPAddress> Servers { get; }

    /// <summary>The servers of <paramref name="resolvConf"/>'s nameserver lines, minus this server's own listen endpoints (a loop).</summary>
    public static IReadOnlyList<IPAddress> ServersFrom(string resolvConf, ClusterDnsOptions options) =>
        [.. ResolvConfFile.Read(resolvConf).Nameservers
            .Select(s => IPAddress.TryParse(s, out var ip) ? ip : null).OfType<IPAddress>()
            .Where(ip => options.UpstreamPort != options.Port || !options.ListenAddresses.Contains(ip))];

    /// <summary>The (possibly cached) upstream answer to <paramref name="question"/>; null when no server answered.</summary>
    public async ValueTask<UpstreamAnswer?> ResolveAsync(DnsQuestion question, bool checkingDisabled, CancellationToken cancellationToken)
    {
        var key = (question.Name.ToString().ToLowerInvariant(), question.RecordType, question.RecordClass);
        var now = _time.GetTimestamp();
        if (_cache.TryGetValue(key, out var cached))
        {
            if (cached.ExpiresAt > now)
            {
                var left = (int)Math.Ceiling((double)(cached.ExpiresAt - now) / _time.TimestampFrequency);
                var answer = cached.Answer;
                return answer with { Answers = CachedRecords.Aged(answer.Answers, left), Authorities = CachedRecords.Aged(answer.Authorities, left) };
            }
            _cache.TryRemove(new(key, cached));
        }
        if (_client is null) return null;
        var query = new DnsMessage { IsRecursionDesired = true, IsCheckingDisabled = checkingDisabled, IsEDnsEnabled = true };
        query.Questions.Add(question);
        DnsMessage? response;
        try
        {
            response = await _client.SendMessageAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            DnsLog.UpstreamFailed(_log, question.Name.ToString(), ex.Message);
            return null;
        }
        if (response is null || response.ReturnCode is not (ReturnCode.NoError or ReturnCode.NxDomain)) return null;
        var fresh = new UpstreamAnswer(response.ReturnCode, response.IsAuthenticData, [.. response.AnswerRecords], [.. response.AuthorityRecords]);
        if (CacheFor(fresh) is { } ttl && ttl > TimeSpan.Zero)
        {
            // Capped at the cache's limit already in the first answer, so clients never hold it longer than we do.
            var seconds = (int)ttl.TotalSeconds;
            fresh = fresh with { Answers = CachedRecords.Aged(fresh.Answers, seconds), Authorities = CachedRecords.Aged(fresh.Authorities, seconds) };
            Store(key, fresh, now, ttl);
        }
        return fresh;
    }

    private TimeSpan? CacheFor(UpstreamAnswer answer)
    {
        int? seconds;
        if (answer.ReturnCode == ReturnCode.NoError && answer.Answers.Length > 0) seconds = answer.Answers.Min(r => r.TimeToLive);
        else seconds = answer.Authorities.OfType<SoaRecord>().Select(s => Math.Min(s.TimeToLive, s.NegativeCachingTTL)).Cast<int?>().FirstOrDefault();
        if (seconds is null) return null;
        var ttl = TimeSpan.FromSeconds(seconds.Value);
        return ttl < _options.CacheMaxTtl ? ttl : _options.CacheMaxTtl;
    }

    private void Store((string, RecordType, RecordClass) key, UpstreamAnswer answer, long now, TimeSpan ttl)
    {
        if (_cache.Count >= _options.CacheCapacity)
        {
            // Full: expired entries go first; if none had expired, an arbitrary tenth makes room.
            foreach (var entry in _cache) if (entry.Value.ExpiresAt <= now) _cache.TryRemove(entry);
            if (_cache.Count >= _options.CacheCapacity)
                foreach (var entry in _cache.Take(Math.Max(1, _options.CacheCapacity / 10))) _cache.TryRemove(entry);
        }
        _cache[key] = (answer, now + (long)(ttl.TotalSeconds * _time.TimestampFrequency));
    }
}
