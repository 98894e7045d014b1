using Gantry.Bench.Measurement;

namespace Gantry.Bench.Dns;

/// <summary>What one DNS load run measured: answers in the recorded window, bad answers, lost queries, latencies.</summary>
internal sealed record DnsLoadResult(long Answered, long Failed, long Lost, TimeSpan Duration, IReadOnlyList<long> Samples)
{
    public double PerSecond => Answered / Duration.TotalSeconds;

    public Latencies Latencies { get; } = new(Samples);
}
