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
        var buffer = new ArrayBufferWriter<byte>(stored.Length + 40);
        var scan = StoredObjectScan.Of(stored);
        Write(buffer, stored, revision, scan.InsertAt, scan.MetadataEmpty);
        return buffer.WrittenSpan.ToArray();
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
