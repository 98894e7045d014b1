using System.Collections.Concurrent;
using System.Text.Json;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// One shared copy of each short string that repeats across stored objects (namespaces, label keys and values). The watch
/// cache keeps them for every object it holds, and each copy per object was one more long-lived object for every young
/// garbage collection to copy into the old generation while writes wait (bench/RESULTS.md, issue 3). Bounded: once
/// full, strings are read as before, so unique values (UIDs in labels) cannot grow it without limit.
/// </summary>
internal static class SharedStrings
{
    private const int MaxLength = 64;
    private const int MaxCount = 4096;
    private static readonly ConcurrentDictionary<string, string> Table = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Table.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int s_count;

    /// <summary>The string (or property name) the reader is on, shared when it is short and was seen before.</summary>
    public static string Read(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueSpan.Length > MaxLength) return reader.GetString()!;
        // UTF-8 never takes fewer bytes than UTF-16 code units, so the bytes' length bounds the characters'.
        Span<char> chars = stackalloc char[MaxLength];
        var text = chars[..reader.CopyString(chars)];
        if (Lookup.TryGetValue(text, out var shared)) return shared;
        var copy = text.ToString();
        if (Volatile.Read(ref s_count) < MaxCount && Table.TryAdd(copy, copy)) Interlocked.Increment(ref s_count);
        return copy;
    }
}
