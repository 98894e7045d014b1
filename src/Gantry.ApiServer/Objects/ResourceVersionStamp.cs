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
    /// <summary>The stored bytes with <c>"resourceVersion":"N"</c> as the first member of the top-level metadata.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> stored, long revision)
    {
        var scan = StoredObjectScan.Of(stored);
        if (scan.InsertAt < 0)
        {
            var buffer = new ArrayBufferWriter<byte>(stored.Length + 40);
            Write(buffer, stored, revision, scan.InsertAt, scan.MetadataEmpty);
            return buffer.WrittenSpan.ToArray();
        }
        // Every write and GET answers through here: build the answer in one array of the exact size.
        Span<byte> digits = stackalloc byte[20];
        revision.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        var prefix = "\"resourceVersion\":\""u8;
        var suffix = scan.MetadataEmpty ? "\""u8 : "\","u8;
        var result = new byte[stored.Length + prefix.Length + written + suffix.Length];
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

    /// <summary>Writes the stamped object into <paramref name="output"/>, given a prior scan's insertion point.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> stored, long revision, int insertAt, bool metadataEmpty)
    {
        var rv = revision.ToString(CultureInfo.InvariantCulture);
        if (insertAt < 0)
        {
            // No metadata at all: add it as the first member of the object.
            var start = stored.IndexOf((byte)'{') + 1;
            var objectEmpty = stored[start..].TrimStart(" \t\r\n"u8)[0] == (byte)'}';
            output.Write(stored[..start]);
            output.Write(Encoding.UTF8.GetBytes($"\"metadata\":{{\"resourceVersion\":\"{rv}\"}}{(objectEmpty ? "" : ",")}"));
            output.Write(stored[start..]);
            return;
        }
        output.Write(stored[..insertAt]);
        output.Write("\"resourceVersion\":\""u8);
        Span<byte> digits = stackalloc byte[20];
        revision.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        output.Write(digits[..written]);
        output.Write(metadataEmpty ? "\""u8 : "\","u8);
        output.Write(stored[insertAt..]);
    }
}
