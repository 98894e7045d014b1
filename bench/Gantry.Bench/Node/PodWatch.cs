using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Gantry.Bench.Node;

/// <summary>
/// A watch on one namespace's pods that notes, for every pod name, the first moment (Stopwatch ticks) an event showed
/// it Running, so a pod's start latency is "POST sent" to "Running seen", as a controller watching it would see it.
/// </summary>
internal sealed class PodWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _running = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private PodWatch(Stream stream) => _reader = ReadAsync(stream);

    /// <summary>Opens the watch; it is established (headers received) when this returns.</summary>
    public static async Task<PodWatch> OpenAsync(HttpClient client, string ns)
    {
        var response = await client.GetAsync($"/api/v1/namespaces/{ns}/pods?watch=true&allowWatchBookmarks=false", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new PodWatch(await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The moment pod <paramref name="name"/> was first seen Running; throws after <paramref name="timeout"/>.</summary>
    public async Task<long> RunningAsync(string name, TimeSpan timeout)
    {
        var running = _running.GetOrAdd(name, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        var first = await Task.WhenAny(running, _reader, Task.Delay(timeout));
        if (first == running) return await running;
        if (first == _reader) throw new InvalidOperationException($"the pod watch ended before {name} was Running: {_reader.Exception?.InnerException?.Message ?? "closed by the server"}");
        throw new InvalidOperationException($"pod {name} was not Running within {timeout.TotalSeconds:F0} s");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task ReadAsync(Stream stream)
    {
        await using var owned = stream;
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var now = Stopwatch.GetTimestamp();
            if (line.Length == 0) continue;
            var pod = JsonNode.Parse(line)?["object"];
            if ((string?)pod?["status"]?["phase"] != "Running" || (string?)pod["metadata"]?["name"] is not { } name) continue;
            _running.GetOrAdd(name, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(now);
        }
    }
}
