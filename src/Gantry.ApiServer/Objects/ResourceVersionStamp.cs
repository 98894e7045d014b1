using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// Writes metadata.resourceVersion into stored JSON without parsing it into a tree: the store keeps objects without
/// their resourceVersion (the revision is the truth), and reads only need it inserted.
/// </summary>
public static class ResourceVersionStamp
{
    private static ReadOnlySpan<byte> Prefix => "\"resourceVersion\":\""u8;

    /// <summary>The stored bytes with <c>"resourceVersion":"N"</c> as the first member of the top-level metadata.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> stored, long revision)
    {
        var scan = StoredObjectScan.InsertPointOf(stored);
        if (scan.InsertAt < 0)
        {
            var buffer = new ArrayBufferWriter<byte>(stored.Length + 40);
            Write(buffer, stored, revision, scan.InsertAt, scan.MetadataEmpty);
            return buffer.WrittenSpan.ToArray();
        }
        // One array of the exact size (answers written straight into a response use Write instead).
        Span<byte> digits = stackalloc byte[20];
        revision.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        var prefix = Prefix;
        var suffix = scan.MetadataEmpty ? "\""u8 : "\","u8;
        var result = new byte[StampedLength(stored.Length, revision, scan.MetadataEmpty)];
        var at = scan.InsertAt;
        stored[..at].CopyTo(result);
        prefix.CopyTo(result.AsSpan(at));
        at += prefix.Length;
        digits[..written].CopyTo(result.AsSpan(at));
        at += written;
        suffix.CopyTo(result.AsSpan(at));
        at += suffix.Length;
        stored[scan.InsertAt..].CopyTo(result.AsSpan(at));
        return result;
    }

    /// <summary>The length of the stamped form of an object that has metadata (a scan's insertion point is not -1).</summary>
    public static int StampedLength(int storedLength, long revision, bool metadataEmpty)
    {
        var digits = 1;
        for (var rest = revision; rest >= 10; rest /= 10) digits++;
        return storedLength + Prefix.Length + digits + (metadataEmpty ? 1 : 2);
    }

    /// <summary>Writes the stamped object into <paramref name="output"/>, given a prior scan's insertion point.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> stored, long revision, int insertAt, bool metadataEmpty)
    {
        if (insertAt < 0)
        {
            var rv = revision.ToString(CultureInfo.InvariantCulture);
            // No metadata at all: add it as the first member of the object.
            var start = stored.IndexOf((byte)'{') + 1;
            var objectEmpty = stored[start..].TrimStart(" \t\r\n"u8)[0] == (byte)'}';
            output.Write(stored[..start]);
            output.Write(Encoding.UTF8.GetBytes($"\"metadata\":{{\"resourceVersion\":\"{rv}\"}}{(objectEmpty ? "" : ",")}"));
            output.Write(stored[start..]);
            return;
        }
        output.Write(stored[..insertAt]);
        output.Write(Prefix);
        Span<byte> digits = stackalloc byte[20];
        revision.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        output.Write(digits[..written]);
        output.Write(metadataEmpty ? "\""u8 : "\","u8);
        output.Write(stored[insertAt..]);
    }
}
