using System.Diagnostics;

namespace Gantry.Bench.Measurement;

/// <summary>Latency samples in <see cref="Stopwatch"/> ticks, summarised as percentiles in milliseconds.</summary>
internal sealed class Latencies
{
    private readonly long[] _sorted;

    public Latencies(IEnumerable<long> ticks)
    {
        _sorted = ticks.ToArray();
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    /// <summary>The <paramref name="percent"/>th percentile in milliseconds (nearest rank), or NaN without samples.</summary>
    public double Percentile(double percent)
    {
        if (_sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(percent / 100.0 * _sorted.Length) - 1;
        return Milliseconds(_sorted[Math.Clamp(rank, 0, _sorted.Length - 1)]);
    }

    public double Max => _sorted.Length == 0 ? double.NaN : Milliseconds(_sorted[^1]);

    public string Summary => $"p50 {Percentile(50):F2} ms, p99 {Percentile(99):F2} ms, max {Max:F2} ms";

    public static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
