using System.Collections.Concurrent;
using System.Text.Json;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// One shared copy of each short string that repeats across stored objects and requests (namespaces, label keys and
/// values, the groups, versions and resources of request paths). The watch cache keeps the first for every object it
/// holds, and each copy per object was one more long-lived object for every young garbage collection to copy into the
/// old generation while writes wait (bench/RESULTS.md, issue 3); the others were garbage of every request. Bounded: once
/// full, strings are made as before, so unique values (UIDs in labels, made-up paths) cannot grow it without limit.
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
        return Get(chars[..reader.CopyString(chars)]);
    }

    /// <summary><paramref name="text"/> as a string, shared when it is short and was seen before.</summary>
    public static string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength) return text.ToString();
        if (Lookup.TryGetValue(text, out var shared)) return shared;
        var copy = text.ToString();
        if (Volatile.Read(ref s_count) < MaxCount && Table.TryAdd(copy, copy)) Interlocked.Increment(ref s_count);
        return copy;
    }
}
