using System.Text;

namespace Gantry.Node.Streaming.Logs;

/// <summary>
/// Sends a container's CRI log file the way the kubelet does: partial lines joined, tail, since, timestamps and
/// limitBytes applied, and with follow the file is tailed (across rotation: a new file at the path is read from its
/// start) until the container is no longer running.
/// </summary>
internal sealed class CriLogReader(TimeProvider time)
{
    /// <summary>How often a followed file is checked for new lines.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a followed container is checked for having exited while the file is idle.</summary>
    public TimeSpan RunningCheckInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Writes the selected log to <paramref name="output"/>; <paramref name="stillRunning"/> ends a follow.</summary>
    public async Task CopyAsync(string path, LogOptions options, Stream output, Func<CancellationToken, Task<bool>> stillRunning,
        CancellationToken cancellationToken)
    {
        var sink = new Sink(output, options);
        var assembler = new Assembler();
        var tail = options.TailLines is { } n ? new Queue<byte[]>() : null;
        var file = Open(path);
        if (file is null) return;
        try
        {
            var reader = new LineReader(file);
            foreach (var line in reader.ReadAvailable())
            {
                if (assembler.Add(line) is not { } logical || !Selected(logical, options)) continue;
                var bytes = sink.Format(logical);
                if (tail is null)
                {
                    if (!await sink.WriteAsync(bytes, cancellationToken)) return;
                    continue;
                }
                tail.Enqueue(bytes);
                if (tail.Count > options.TailLines) tail.Dequeue();
            }
            if (tail is not null)
            {
                while (tail.TryDequeue(out var bytes))
                {
                    if (!await sink.WriteAsync(bytes, cancellationToken)) return;
                }
            }
            await output.FlushAsync(cancellationToken);
            if (!options.Follow) return;

            var lastRunningCheck = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                var any = false;
                foreach (var line in reader.ReadAvailable())
                {
                    any = true;
                    if (assembler.Add(line) is not { } logical || !Selected(logical, options)) continue;
                    if (!await sink.WriteAsync(sink.Format(logical), cancellationToken)) return;
                }
                if (any)
                {
                    await output.FlushAsync(cancellationToken);
                    continue;
                }
                if (Rotated(path, file))
                {
                    // The runtime renamed the file and started a new one: finish the old one, then read the new from its start.
                    await file.DisposeAsync();
                    file = Open(path);
                    if (file is null) return;
                    reader = new LineReader(file);
                    continue;
                }
                if (time.GetUtcNow() - lastRunningCheck >= RunningCheckInterval)
                {
                    lastRunningCheck = time.GetUtcNow();
                    if (!await stillRunning(cancellationToken))
                    {
                        // Lines written just before the exit are still sent.
                        foreach (var line in reader.ReadAvailable())
                        {
                            if (assembler.Add(line) is not { } logical || !Selected(logical, options)) continue;
                            if (!await sink.WriteAsync(sink.Format(logical), cancellationToken)) return;
                        }
                        await output.FlushAsync(cancellationToken);
                        return;
                    }
                }
                await Task.Delay(PollInterval, time, cancellationToken);
            }
        }
        finally
        {
            if (file is not null) await file.DisposeAsync();
        }
    }

    private static bool Selected(Logical line, LogOptions options) => options.Since is not { } since || line.Line.Time >= since;

    private static FileStream? Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The path now names another file than the one being read: it shrank, or the open file's name (Linux keeps
    /// /proc/self/fd links current across renames) is no longer the path. While no new file exists, keep waiting.
    /// </summary>
    private static bool Rotated(string path, FileStream file)
    {
        var current = new FileInfo(path);
        if (!current.Exists) return false;
        if (current.Length < file.Position) return true;
        var open = new FileInfo($"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
        return open is not null && open != Path.GetFullPath(path);
    }

    /// <summary>A logical line: the first part's time and the joined text, with or without its newline.</summary>
    private readonly record struct Logical(CriLogLine Line, byte[] Text);

    /// <summary>Joins P lines with the following lines of the same stream.</summary>
    private sealed class Assembler
    {
        private readonly List<byte>[] _pending = [[], []];
        private readonly CriLogLine?[] _first = [null, null];

        public Logical? Add(ReadOnlyMemory<byte> raw)
        {
            if (!CriLogLine.TryParse(raw, out var line)) return null;
            var index = line.Stderr ? 1 : 0;
            _first[index] ??= line;
            _pending[index].AddRange(line.Content.Span);
            if (line.Partial) return null;
            _pending[index].Add((byte)'\n');
            var logical = new Logical(_first[index]!.Value, [.. _pending[index]]);
            _pending[index].Clear();
            _first[index] = null;
            return logical;
        }
    }

    /// <summary>Splits a growing file into complete lines, keeping an unfinished last line for later.</summary>
    private sealed class LineReader(FileStream file)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private byte[] _carry = [];

        public IEnumerable<ReadOnlyMemory<byte>> ReadAvailable()
        {
            int read;
            while ((read = file.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                var data = _carry.Length == 0 ? _buffer.AsMemory(0, read) : (Memory<byte>)_carry.Concat(_buffer.Take(read)).ToArray();
                var start = 0;
                for (var i = 0; i < data.Length; i++)
                {
                    if (data.Span[i] != (byte)'\n') continue;
                    yield return data[start..i].ToArray();
                    start = i + 1;
                }
                _carry = data[start..].ToArray();
            }
        }
    }

    /// <summary>Formats lines and enforces limitBytes.</summary>
    private sealed class Sink(Stream output, LogOptions options)
    {
        private long _written;

        public byte[] Format(Logical line) => options.Timestamps
            ? [.. Encoding.ASCII.GetBytes(line.Line.FormatTime() + " "), .. line.Text]
            : line.Text;

        /// <summary>Writes a line (cut at the byte limit); false once the limit is reached.</summary>
        public async Task<bool> WriteAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            var length = bytes.Length;
            if (options.LimitBytes is { } limit) length = (int)Math.Min(length, limit - _written);
            if (length > 0) await output.WriteAsync(bytes.AsMemory(0, length), cancellationToken);
            _written += length;
            return options.LimitBytes is not { } max || _written < max;
        }
    }
}
