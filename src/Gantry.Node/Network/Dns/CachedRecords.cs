using ARSoft.Tools.Net.Dns;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// Copies of cached upstream records with the TTL they have left, as CoreDNS's cache answers (ARSoft's records
/// cannot change their TTL). Types a pod is unlikely to ask a cluster DNS for keep their original TTL.
/// </summary>
internal static class CachedRecords
{
    /// <summary><paramref name="records"/> with every TTL lowered to at most <paramref name="left"/> seconds.</summary>
    public static DnsRecordBase[] Aged(DnsRecordBase[] records, int left)
    {
        var aged = new DnsRecordBase[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            var r = records[i];
            var ttl = Math.Min(r.TimeToLive, left);
            aged[i] = ttl == r.TimeToLive ? r : r switch
            {
                ARecord a => new ARecord(a.Name, ttl, a.Address),
                AaaaRecord a => new AaaaRecord(a.Name, ttl, a.Address),
                CNameRecord c => new CNameRecord(c.Name, ttl, c.CanonicalName),
                PtrRecord p => new PtrRecord(p.Name, ttl, p.PointerDomainName),
                SrvRecord s => new SrvRecord(s.Name, ttl, s.Priority, s.Weight, s.Port, s.Target),
                TxtRecord t => new TxtRecord(t.Name, ttl, t.TextParts),
                MxRecord m => new MxRecord(m.Name, ttl, m.Preference, m.ExchangeDomainName),
                NsRecord n => new NsRecord(n.Name, ttl, n.NameServer),
                SoaRecord s => new SoaRecord(s.Name, ttl, s.MasterName, s.ResponsibleName, s.SerialNumber, s.RefreshInterval,
                    s.RetryInterval, s.ExpireInterval, s.NegativeCachingTTL),
                _ => r,
            };
        }
        return aged;
    }
}
