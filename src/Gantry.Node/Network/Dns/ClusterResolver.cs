using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// Answers one query: names in the cluster domain from the current <see cref="DnsZone"/> (authoritative, with the
/// SOA in the authority section of NXDOMAIN and NODATA answers), reverse names of cluster IPs from the zone, and
/// everything else (including reverse names the cluster does not know, as k3s's <c>fallthrough in-addr.arpa</c>)
/// through the <see cref="UpstreamForwarder"/>.
/// </summary>
internal sealed class ClusterResolver(Func<DnsZone> zone, UpstreamForwarder upstream)
{
    /// <summary>The answer to <paramref name="query"/>.</summary>
    public ValueTask<DnsMessage> ResolveAsync(DnsMessage query, CancellationToken cancellationToken)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (query.Questions.Count != 1 || query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = query.OperationCode == OperationCode.Query ? ReturnCode.FormatError : ReturnCode.NotImplemented;
            return ValueTask.FromResult(response);
        }
        var question = query.Questions[0];
        var current = zone();
        var name = Key(question.Name);
        if (InZone(name, current.Domain))
        {
            AnswerInZone(current, name, question, response);
            if (response.AnswerRecords is [CNameRecord cname] && question.RecordType is not (RecordType.CName or RecordType.Any))
                return ChaseAsync(current, cname, question, response, cancellationToken);
            return ValueTask.FromResult(response);
        }
        if (question.RecordType == RecordType.Ptr && current.FindReverse(name) is { } reverse)
        {
            response.IsAuthoritiveAnswer = true;
            response.AnswerRecords.AddRange(reverse.Answer(RecordType.Ptr));
            return ValueTask.FromResult(response);
        }
        return ForwardAsync(query, response, cancellationToken);
    }

    private void AnswerInZone(DnsZone current, string name, DnsQuestion question, DnsMessage response)
    {
        response.IsAuthoritiveAnswer = true;
        var node = current.Find(name);
        if (node is not null)
        {
            var answer = node.Answer(question.RecordType);
            response.AnswerRecords.AddRange(answer);
            if (answer.Length == 0) response.AuthorityRecords.Add(current.Soa);
            return;
        }
        if (PodAddress(name, current.Domain) is { } ip)
        {
            var type = ip.AddressFamily == AddressFamily.InterNetwork ? RecordType.A : RecordType.Aaaa;
            if (question.RecordType == type || question.RecordType == RecordType.Any)
            {
                var ttl = current.Soa.TimeToLive;
                response.AnswerRecords.Add(type == RecordType.A ? new ARecord(question.Name, ttl, ip) : new AaaaRecord(question.Name, ttl, ip));
            }
            else
            {
                response.AuthorityRecords.Add(current.Soa);
            }
            return;
        }
        response.ReturnCode = ReturnCode.NxDomain;
        response.AuthorityRecords.Add(current.Soa);
    }

    // An ExternalName's CNAME comes with the target's records, as CoreDNS resolves it through its upstream.
    private async ValueTask<DnsMessage> ChaseAsync(DnsZone current, CNameRecord cname, DnsQuestion question, DnsMessage response, CancellationToken cancellationToken)
    {
        var target = new DnsQuestion(cname.CanonicalName, question.RecordType, question.RecordClass);
        var targetName = Key(cname.CanonicalName);
        if (InZone(targetName, current.Domain))
        {
            response.AnswerRecords.AddRange(current.Find(targetName)?.Answer(question.RecordType).Where(r => r is not CNameRecord) ?? []);
            return response;
        }
        if (await upstream.ResolveAsync(target, false, cancellationToken).ConfigureAwait(false) is { ReturnCode: ReturnCode.NoError } answer)
        {
            response.AnswerRecords.AddRange(answer.Answers);
            // Upstream data: not ours to vouch for, and not for the wire cache, which keeps only zone answers.
            response.IsAuthoritiveAnswer = false;
        }
        return response;
    }

    private async ValueTask<DnsMessage> ForwardAsync(DnsMessage query, DnsMessage response, CancellationToken cancellationToken)
    {
        var answer = await upstream.ResolveAsync(query.Questions[0], query.IsCheckingDisabled, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return response;
        }
        response.ReturnCode = answer.ReturnCode;
        response.IsAuthenticData = answer.IsAuthenticData;
        response.AnswerRecords.AddRange(answer.Answers);
        response.AuthorityRecords.AddRange(answer.Authorities);
        return response;
    }

    // "web.default.svc.cluster.local" for the query name, lower case, no trailing dot.
    private static string Key(DomainName name) => string.Join('.', name.Labels).ToLowerInvariant();

    private static bool InZone(string name, string domain) =>
        name.EndsWith(domain, StringComparison.Ordinal) && (name.Length == domain.Length || name[name.Length - domain.Length - 1] == '.');

    // "10-42-0-5.<ns>.pod.<domain>" (or dashed IPv6): the IP itself, as CoreDNS's "pods insecure" answers.
    private static IPAddress? PodAddress(string name, string domain)
    {
        var prefix = name.AsSpan(0, Math.Max(0, name.Length - domain.Length - 1));
        if (!prefix.EndsWith(".pod", StringComparison.Ordinal)) return null;
        var labels = prefix[..^4];
        var dot = labels.IndexOf('.');
        if (dot <= 0 || labels[(dot + 1)..].Contains('.')) return null;
        var host = labels[..dot].ToString();
        var dashes = host.Count(c => c == '-');
        var text = dashes == 3 && !host.Contains("--", StringComparison.Ordinal) ? host.Replace('-', '.') : host.Replace('-', ':');
        return IPAddress.TryParse(text, out var ip) && (ip.AddressFamily == AddressFamily.InterNetworkV6 || dashes == 3) ? ip : null;
    }
}
