using Gantry.Bench.Measurement;

namespace Gantry.Bench.Dns;

/// <summary>
/// What one DNS load run measured in its recorded window: answers, bad answers, lost queries, the process's CPU time
/// (server, client and the idle API server together), latencies.
/// </summary>
internal sealed record DnsLoadResult(long Answered, long Failed, long Lost, TimeSpan Duration, TimeSpan Cpu, IReadOnlyList<long> Samples)
{
    public double PerSecond => Answered / Duration.TotalSeconds;

    public string CpuSummary => $"process {Cpu.TotalSeconds / Duration.TotalSeconds:F2} cores, {(Answered > 0 ? Cpu.TotalMicroseconds / Answered : double.NaN):F1} us CPU per query";

    public Latencies Latencies { get; } = new(Samples);
}
