using System.Collections.Concurrent;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// The encoded UDP answers to questions the cluster zone answered (authoritative answers only, never upstream data),
/// keyed by the query's bytes after its id, so a repeated question is answered by copying bytes and setting the id:
/// no parse, no resolver, no encode, no thread hop. Every zone change starts a new generation: answers computed from
/// an older zone are neither served nor stored. Bounded: when full it starts over.
/// </summary>
internal sealed class WireAnswerCache(int capacity)
{
    private readonly ConcurrentDictionary<byte[], (int Generation, byte[] Answer)> _answers = new(ByteKeyComparer.Instance);
    private int _generation;

    /// <summary>The current generation, to hand back to <see cref="Store"/>.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Forgets every answer: the zone changed.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _answers.Clear();
    }

    /// <summary>Writes the answer to <paramref name="query"/> into <paramref name="destination"/>; its length, or 0 when not cached.</summary>
    public int TryAnswer(ReadOnlySpan<byte> query, Span<byte> destination)
    {
        if (query.Length < 12) return 0;
        var lookup = _answers.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(query[2..], out var entry) || entry.Generation != Generation || entry.Answer.Length > destination.Length) return 0;
        entry.Answer.CopyTo(destination);
        destination[0] = query[0];
        destination[1] = query[1];
        return entry.Answer.Length;
    }

    /// <summary>Keeps <paramref name="answer"/> to <paramref name="query"/>, both computed in <paramref name="generation"/>, if authoritative.</summary>
    public void Store(ReadOnlySpan<byte> query, ReadOnlySpan<byte> answer, int generation)
    {
        // The AA bit: set only on answers made from the cluster zone alone.
        const byte authoritative = 0x04;
        if (query.Length < 12 || answer.Length < 12 || (answer[2] & authoritative) == 0 || generation != Generation) return;
        if (_answers.Count >= capacity) _answers.Clear();
        _answers[query[2..].ToArray()] = (generation, answer.ToArray());
    }

    private sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static ByteKeyComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
