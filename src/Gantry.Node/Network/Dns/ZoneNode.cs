using ARSoft.Tools.Net.Dns;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// One name of the cluster zone with its answers built once per zone snapshot, so a query only picks an array. A node
/// without records is an existing name all the same (NOERROR/NODATA, not NXDOMAIN): a namespace, an empty
/// non-terminal such as <c>svc.cluster.local</c>.
/// </summary>
internal sealed class ZoneNode
{
    private readonly List<DnsRecordBase> _building = [];
    private DnsRecordBase[] _all = [];
    private (RecordType Type, DnsRecordBase[] Records)[] _byType = [];

    /// <summary>Adds a record while the zone is built.</summary>
    public void Add(DnsRecordBase record) => _building.Add(record);

    /// <summary>True when the name has a record of <paramref name="type"/> (while building).</summary>
    public bool Has(RecordType type) => _building.Exists(r => r.RecordType == type);

    /// <summary>Ends building: groups the records per type for lock-free, allocation-free reads.</summary>
    public void Freeze()
    {
        _all = [.. _building];
        _byType = [.. _building.GroupBy(r => r.RecordType).Select(g => (g.Key, g.ToArray()))];
        _building.Clear();
    }

    /// <summary>The records answering <paramref name="type"/>: a CNAME answers every type, ANY gets everything.</summary>
    public DnsRecordBase[] Answer(RecordType type)
    {
        if (type == RecordType.Any) return _all;
        foreach (var (recordType, records) in _byType)
        {
            if (recordType == type || recordType == RecordType.CName) return records;
        }
        return [];
    }
}
