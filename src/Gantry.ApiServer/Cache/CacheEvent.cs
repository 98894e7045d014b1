using System.Buffers;

namespace Gantry.ApiServer.Cache;

/// <summary>The watch event types of the Kubernetes API.</summary>
public enum CacheEventType
{
    /// <summary>ADDED.</summary>
    Added,
    /// <summary>MODIFIED.</summary>
    Modified,
    /// <summary>DELETED.</summary>
    Deleted,
}

/// <summary>A change as the watch cache records and fans it out.</summary>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="Object">The new version (for DELETED: the last version, with the deletion's revision).</param>
/// <param name="Previous">The version before the change, for selector transitions; null for ADDED.</param>
public sealed record CacheEvent(CacheEventType Type, CachedObject Object, CachedObject? Previous)
{
    private readonly byte[]?[] _lines = new byte[]?[3];

    /// <summary>The revision of the change.</summary>
    public long Revision => Object.Revision;

    /// <summary>
    /// The event as one line of a JSON watch stream, seen as <paramref name="type"/> (selector transitions turn
    /// changes into ADDED or DELETED for some watchers). Built once and shared by every watcher.
    /// </summary>
    public byte[] Line(CacheEventType type)
    {
        var index = (int)type;
        var line = Volatile.Read(ref _lines[index]);
        if (line is not null) return line;
        var buffer = new ArrayBufferWriter<byte>(Object.Stored.Length + 64);
        buffer.Write(type switch
        {
            CacheEventType.Added => """{"type":"ADDED","object":"""u8,
            CacheEventType.Modified => """{"type":"MODIFIED","object":"""u8,
            _ => """{"type":"DELETED","object":"""u8,
        });
        Object.WriteTo(buffer);
        buffer.Write("}\n"u8);
        line = buffer.WrittenSpan.ToArray();
        Volatile.Write(ref _lines[index], line);
        return line;
    }
}
