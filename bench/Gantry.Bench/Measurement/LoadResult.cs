namespace Gantry.Bench.Measurement;

/// <summary>What one load phase achieved: successful and failed operations, wall time and latencies.</summary>
internal sealed record LoadResult(long Succeeded, long Failed, TimeSpan Elapsed, Latencies Latencies, string? FirstError)
{
    public double Rate => Succeeded / Elapsed.TotalSeconds;
}
