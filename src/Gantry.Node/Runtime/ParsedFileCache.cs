using System.Collections.Concurrent;

namespace Gantry.Node.Runtime;

/// <summary>
/// Parsed state files (records, runc's state.json) kept by path and last write time. Every pod sync lists the whole
/// runtime, so with many containers re-reading and re-parsing every file was the bulk of a listing; these files are only
/// ever replaced by a rename, so a file whose write time is unchanged still holds what was parsed: one stat per file.
/// </summary>
internal sealed class ParsedFileCache<T>
    where T : class
{
    // File.GetLastWriteTimeUtc's answer for a file that does not exist.
    private static readonly DateTime Missing = DateTime.FromFileTimeUtc(0);

    // Linux stamps files from a coarse clock (one tick is a few milliseconds), so two replacements within one tick carry
    // the same write time. A file written this recently is parsed again on every call; older ones are trusted (git's
    // "racily clean" rule).
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, (DateTime WrittenAt, T? Value)> _entries = new(StringComparer.Ordinal);

    /// <summary>The parsed content of <paramref name="path"/>, null when the file does not exist.</summary>
    public T? Get(string path, Func<string, T?> parse)
    {
        var writtenAt = File.GetLastWriteTimeUtc(path);
        if (writtenAt == Missing)
        {
            _entries.TryRemove(path, out _);
            return null;
        }

        if (_entries.TryGetValue(path, out var entry) && entry.WrittenAt == writtenAt
            && TimeProvider.System.GetUtcNow().UtcDateTime - writtenAt > RacyWindow)
        {
            return entry.Value;
        }

        // Replaced between the stat and the read: the next call sees a newer time than the one stored and parses again.
        var value = parse(path);
        _entries[path] = (writtenAt, value);
        return value;
    }

    /// <summary>Forgets every file not in <paramref name="paths"/> (called by listings, which see every file there is).</summary>
    public void Retain(IReadOnlySet<string> paths)
    {
        foreach (var path in _entries.Keys)
        {
            if (!paths.Contains(path))
            {
                _entries.TryRemove(path, out _);
            }
        }
    }
}
