namespace Gantry.Scheduler.Cache;

/// <summary>A host port a container claims on its node.</summary>
internal sealed record HostPort(string Ip, string Protocol, int Port)
{
    /// <summary>Same protocol and port, and the addresses overlap (0.0.0.0 overlaps every address).</summary>
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol && (Ip == other.Ip || Ip == "0.0.0.0" || other.Ip == "0.0.0.0");
}
