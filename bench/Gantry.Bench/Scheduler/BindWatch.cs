using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Gantry.Bench.Scheduler;

/// <summary>
/// Watches a namespace's pods and records when each one is first seen bound (spec.nodeName set), in Stopwatch ticks.
/// It scans the raw event lines for the two fields it needs instead of parsing them: at thousands of events per second
/// a full JSON parse here would take CPU from the server and scheduler it measures.
/// </summary>
internal sealed class BindWatch : IAsyncDisposable
{
    private static readonly byte[] NameField = "\"name\":\""u8.ToArray();
    private static readonly byte[] NodeNameField = "\"nodeName\":\""u8.ToArray();
    private static readonly byte[] UnschedulableReason = "\"reason\":\"Unschedulable\""u8.ToArray();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private BindWatch(HttpClient client, string path) => _reading = Task.Run(() => ReadAsync(client, path, _stop.Token));

    /// <summary>Pod name -> when it was first seen bound.</summary>
    public ConcurrentDictionary<string, long> Bound { get; } = new(StringComparer.Ordinal);

    /// <summary>Pod name -> when it was first seen with PodScheduled=False/Unschedulable.</summary>
    public ConcurrentDictionary<string, long> Unschedulable { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts watching <paramref name="ns"/>'s pods after <paramref name="resourceVersion"/>.</summary>
    public static BindWatch Start(HttpClient client, string ns, string resourceVersion) =>
        new(client, $"/api/v1/namespaces/{ns}/pods?watch=true&resourceVersion={resourceVersion}&timeoutSeconds=3600");

    /// <summary>
    /// Waits until <paramref name="count"/> pods are bound or <paramref name="timeout"/> passes without progress
    /// (<paramref name="firstTimeout"/>, when given, for the first bind: a scheduler starting against tens of thousands
    /// of pods lists them all first, which the first-bind-to-last-bind figure does not count).
    /// </summary>
    public async Task<bool> WaitForBoundAsync(int count, TimeSpan timeout, Action? check = null, TimeSpan? firstTimeout = null)
    {
        var last = Bound.Count;
        var progress = Stopwatch.StartNew();
        while (Bound.Count < count)
        {
            if (_reading.IsFaulted) await _reading;
            check?.Invoke();
            await Task.Delay(100);
            if (Bound.Count != last)
            {
                last = Bound.Count;
                progress.Restart();
            }
            else if (progress.Elapsed > (last == 0 && firstTimeout is { } first ? first : timeout))
            {
                return false;
            }
        }
        return true;
    }

    private async Task ReadAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[1 << 20];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0) return;
                filled += read;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    Record(buffer.AsSpan(start, newline));
                    start += newline + 1;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Done.
        }
    }

    private void Record(ReadOnlySpan<byte> line)
    {
        var now = Stopwatch.GetTimestamp();
        var name = Value(line, NameField);
        if (name is null) return;
        if (Value(line, NodeNameField) is { Length: > 0 }) Bound.TryAdd(name, now);
        else if (line.IndexOf(UnschedulableReason) >= 0) Unschedulable.TryAdd(name, now);
    }

    private static string? Value(ReadOnlySpan<byte> line, ReadOnlySpan<byte> field)
    {
        var at = line.IndexOf(field);
        if (at < 0) return null;
        var rest = line[(at + field.Length)..];
        var end = rest.IndexOf((byte)'"');
        return end < 0 ? null : Encoding.UTF8.GetString(rest[..end]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
            // The stream ends with the server.
        }
        _stop.Dispose();
    }
}
