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
        var file = Open(path);
        if (file is null) return;
        try
        {
            var reader = new LineReader(file);
            if (options.TailLines is { } n)
            {
                var tail = new Queue<byte[]>();
                foreach (var line in reader.ReadAvailable())
                {
                    if (assembler.Add(line) is not { } logical || !Selected(logical, options)) continue;
                    tail.Enqueue(sink.Format(logical));
                    if (tail.Count > n) tail.Dequeue();
                }
                while (tail.TryDequeue(out var bytes))
                {
                    if (!await sink.WriteAsync(bytes, cancellationToken)) return;
                }
                if (!await WritePartialsAsync(assembler, sink, options, cancellationToken)) return;
            }
            else if (!await WriteAvailableAsync(reader, assembler, sink, options, cancellationToken)) return;
            await output.FlushAsync(cancellationToken);
            if (!options.Follow) return;

            var lastRunningCheck = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                var before = file.Position;
                if (!await WriteAvailableAsync(reader, assembler, sink, options, cancellationToken)) return;
                if (file.Position != before)
                {
                    await output.FlushAsync(cancellationToken);
                    continue;
                }
                if (Rotated(path, file))
                {
                    // The runtime renamed the file and started a new one: finish the old one (the monitor may have written
                    // its last lines between the read above and the reopen), then read the new from its start.
                    if (!await WriteAvailableAsync(reader, assembler, sink, options, cancellationToken)) return;
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
                        await WriteAvailableAsync(reader, assembler, sink, options, cancellationToken);
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

    /// <summary>Writes every complete line read so far, then the unfinished ones' text; false once limitBytes is reached.</summary>
    private static async Task<bool> WriteAvailableAsync(LineReader reader, Assembler assembler, Sink sink, LogOptions options, CancellationToken cancellationToken)
    {
        foreach (var line in reader.ReadAvailable())
        {
            if (assembler.Add(line) is not { } logical || !Selected(logical, options)) continue;
            if (!await sink.WriteAsync(sink.Format(logical), cancellationToken)) return false;
        }
        return await WritePartialsAsync(assembler, sink, options, cancellationToken);
    }

    /// <summary>Text of partial lines goes out at once (as the kubelet does); their continuation follows without a timestamp.</summary>
    private static async Task<bool> WritePartialsAsync(Assembler assembler, Sink sink, LogOptions options, CancellationToken cancellationToken)
    {
        foreach (var partial in assembler.TakePartials())
        {
            if (Selected(partial, options) && !await sink.WriteAsync(sink.Format(partial), cancellationToken)) return false;
        }
        return true;
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

    /// <summary>
    /// A logical line or a piece of one: the time of its first part, the text (with its newline once complete), and
    /// whether it continues text already sent (then it gets no timestamp).
    /// </summary>
    private readonly record struct Logical(CriLogLine Line, byte[] Text, bool Continuation);

    /// <summary>Joins P lines with the following lines of the same stream.</summary>
    private sealed class Assembler
    {
        private readonly List<byte>[] _pending = [[], []];
        private readonly CriLogLine?[] _first = [null, null];
        private readonly bool[] _continuing = [false, false];

        public Logical? Add(ReadOnlyMemory<byte> raw)
        {
            if (!CriLogLine.TryParse(raw, out var line)) return null;
            var index = line.Stderr ? 1 : 0;
            _first[index] ??= line;
            _pending[index].AddRange(line.Content.Span);
            if (line.Partial) return null;
            _pending[index].Add((byte)'\n');
            var logical = new Logical(_first[index]!.Value, [.. _pending[index]], _continuing[index]);
            _pending[index].Clear();
            _first[index] = null;
            _continuing[index] = false;
            return logical;
        }

        /// <summary>The text of unfinished lines gathered so far; what completes them later is a continuation.</summary>
        public IEnumerable<Logical> TakePartials()
        {
            for (var index = 0; index < _pending.Length; index++)
            {
                if (_pending[index].Count == 0) continue;
                var partial = new Logical(_first[index]!.Value, [.. _pending[index]], _continuing[index]);
                _pending[index].Clear();
                _continuing[index] = true;
                yield return partial;
            }
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

        public byte[] Format(Logical line) => options.Timestamps && !line.Continuation
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
