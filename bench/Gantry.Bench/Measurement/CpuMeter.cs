using System.Diagnostics;

namespace Gantry.Bench.Measurement;

/// <summary>CPU time the server and this client spent during a phase: on two shared cores the split tells who is the bottleneck.</summary>
internal sealed class CpuMeter
{
    private readonly Process _server;
    private readonly TimeSpan _serverStart;
    private readonly TimeSpan _clientStart;
    private readonly long _wallStart;

    private CpuMeter(Process server)
    {
        _server = server;
        _server.Refresh();
        _serverStart = _server.TotalProcessorTime;
        _clientStart = Process.GetCurrentProcess().TotalProcessorTime;
        _wallStart = Stopwatch.GetTimestamp();
    }

    public static CpuMeter Start(Process server) => new(server);

    /// <summary>"server X cores, client Y cores, Z µs server CPU per op" since the start.</summary>
    public string Describe(long operations)
    {
        _server.Refresh();
        var wall = Stopwatch.GetElapsedTime(_wallStart).TotalSeconds;
        var server = (_server.TotalProcessorTime - _serverStart).TotalSeconds;
        var client = (Process.GetCurrentProcess().TotalProcessorTime - _clientStart).TotalSeconds;
        var perOperation = operations > 0 ? server * 1e6 / operations : double.NaN;
        return $"cpu: server {server / wall:F2} cores, client {client / wall:F2} cores, server {perOperation:F0} us/op";
    }
}
