using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Http;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// Serializes objects for the store through one reusable buffer and writer per thread: every write encodes its object,
/// and the serializer's own path would grow a fresh pooled buffer and writer each time.
/// </summary>
internal static class EncodeBuffer
{
    // A buffer that grew for a large object is dropped rather than kept by the thread.
    private const int KeepCapacity = 256 * 1024;

    // As the serializer's defaults with the API's escaping: an object nested deeper than 64 levels is refused, as
    // reading it back would be.
    private static readonly JsonWriterOptions Options = new() { Encoder = ApiJson.Options.Encoder, MaxDepth = 64 };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The JSON of <paramref name="obj"/> as the API writes it (Go-like escaping), as a new array.</summary>
    public static byte[] Serialize(JsonObject obj)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, Options);
        try
        {
            obj.WriteTo(writer, ApiJson.Options);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            writer.Reset(buffer);
            buffer.ResetWrittenCount();
            if (buffer.Capacity > KeepCapacity)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }
}
