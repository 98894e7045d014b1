using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
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
    private static readonly byte[] MetadataField = "\"metadata\":{"u8.ToArray();
    private static readonly byte[] NodeNameField = "\"nodeName\":\""u8.ToArray();
    private static readonly byte[] UnschedulableReason = "\"reason\":\"Unschedulable\""u8.ToArray();
    private static readonly byte[] ResourceVersionField = "\"resourceVersion\":\""u8.ToArray();
    private static readonly byte[] ErrorEvent = "{\"type\":\"ERROR\""u8.ToArray();
    private static readonly byte[] CreationField = "\"creationTimestamp\":\""u8.ToArray();
    private static readonly byte[] ScheduledCondition = "\"type\":\"PodScheduled\""u8.ToArray();
    private static readonly byte[] TransitionField = "\"lastTransitionTime\":\""u8.ToArray();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private string _lastRevision = "";
    private int _resumes;
    private int _relists;

    private BindWatch(HttpClient client, string ns, string resourceVersion) => _reading = Task.Run(() => ReadAsync(client, ns, resourceVersion, _stop.Token));

    /// <summary>Pod name -> when it was first seen bound.</summary>
    public ConcurrentDictionary<string, long> Bound { get; } = new(StringComparer.Ordinal);

    /// <summary>Pod name -> when it was first seen at all (its ADDED event, unless a list saw it first).</summary>
    public ConcurrentDictionary<string, long> Seen { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Pod name -> seconds from its creationTimestamp to its PodScheduled condition's lastTransitionTime, both set by the
    /// server (1 s resolution), read from the event that first shows the pod bound: the server's and scheduler's part
    /// of the latency without this watch's own delay.
    /// </summary>
    public ConcurrentDictionary<string, double> ServerBindSeconds { get; } = new(StringComparer.Ordinal);

    /// <summary>Pod name -> when it was first seen with PodScheduled=False/Unschedulable.</summary>
    public ConcurrentDictionary<string, long> Unschedulable { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts watching <paramref name="ns"/>'s pods after <paramref name="resourceVersion"/>.</summary>
    public static BindWatch Start(HttpClient client, string ns, string resourceVersion) => new(client, ns, resourceVersion);

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

    /// <summary>How often the stream ended and was resumed from the last resourceVersion seen.</summary>
    public int Resumes => _resumes;

    /// <summary>How often a resume was too old for the server and the namespace was listed instead.</summary>
    public int Relists => _relists;

    // Like client-go's reflector: the server ends a watch that falls behind (as Kubernetes' cacher does); the stream is
    // resumed from the last resourceVersion seen, and only a 410 costs a list. Before, an ended stream silently stopped
    // recording, so a phase whose watch was dropped under load reported pods as never bound.
    private async Task ReadAsync(HttpClient client, string ns, string resourceVersion, CancellationToken cancellationToken)
    {
        _lastRevision = resourceVersion;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var path = $"/api/v1/namespaces/{ns}/pods?watch=true&resourceVersion={_lastRevision}&timeoutSeconds=3600";
                if (await WatchOnceAsync(client, path, cancellationToken)) _resumes++;
                else
                {
                    _relists++;
                    await ListAsync(client, ns, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Done.
        }
    }

    /// <summary>Reads one watch stream to its end; false when the server said the resourceVersion is too old.</summary>
    private async Task<bool> WatchOnceAsync(HttpClient client, string path, CancellationToken cancellationToken)
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
                if (read == 0) return true;
                filled += read;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    var line = buffer.AsSpan(start, newline);
                    if (line.StartsWith(ErrorEvent)) return false;
                    Record(line);
                    start += newline + 1;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection dropped mid-stream: resume.
            return true;
        }
    }

    // Pods bound while no watch was open are recorded when the list sees them: later than they were bound, so a relist
    // can only make latencies look worse, never better.
    private async Task ListAsync(HttpClient client, string ns, CancellationToken cancellationToken)
    {
        using var list = await Controllers.ControllerApi.GetAsync(client, $"/api/v1/namespaces/{ns}/pods", cancellationToken);
        var now = Stopwatch.GetTimestamp();
        foreach (var pod in list.RootElement.GetProperty("items").EnumerateArray())
        {
            var name = pod.GetProperty("metadata").GetProperty("name").GetString()!;
            Seen.TryAdd(name, now);
            if (pod.GetProperty("spec").TryGetProperty("nodeName", out var node) && node.GetString() is { Length: > 0 }) Bound.TryAdd(name, now);
        }
        _lastRevision = list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    private void Record(ReadOnlySpan<byte> line)
    {
        var now = Stopwatch.GetTimestamp();
        // The object's own resourceVersion is the only one in a pod's line.
        if (Value(line, ResourceVersionField) is { } revision) _lastRevision = revision;
        // The pod's name is the first after "metadata": a stored pod may carry spec (with its containers' names) first.
        var metadata = line.IndexOf(MetadataField);
        var name = metadata < 0 ? null : Value(line[metadata..], NameField);
        if (name is null) return;
        Seen.TryAdd(name, now);
        if (Value(line, NodeNameField) is { Length: > 0 })
        {
            if (Bound.TryAdd(name, now) && ServerBindTime(line) is { } seconds) ServerBindSeconds.TryAdd(name, seconds);
        }
        else if (line.IndexOf(UnschedulableReason) >= 0) Unschedulable.TryAdd(name, now);
    }

    private static double? ServerBindTime(ReadOnlySpan<byte> line)
    {
        var condition = line.IndexOf(ScheduledCondition);
        if (condition < 0) return null;
        var end = line[condition..].IndexOf((byte)'}');
        if (end < 0) return null;
        if (Value(line[condition..(condition + end)], TransitionField) is not { } scheduled || Value(line, CreationField) is not { } created) return null;
        return (DateTimeOffset.Parse(scheduled, CultureInfo.InvariantCulture) - DateTimeOffset.Parse(created, CultureInfo.InvariantCulture)).TotalSeconds;
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
