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

    /// <summary>
    /// The JSON of <paramref name="obj"/> as the API writes it (Go-like escaping), in this thread's buffer: valid until the
    /// thread serializes again, so only for a consumer that copies it before anything else runs on the thread (the store
    /// copies a written value before it returns). A copy here would be the second one of every write.
    /// </summary>
    public static ReadOnlyMemory<byte> Serialize(JsonNode obj)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Capacity > KeepCapacity)
        {
            // The buffer that grew for a large object was still in use until now; the thread starts a small one again.
            buffer = t_buffer = new ArrayBufferWriter<byte>(4096);
            t_writer = null;
        }
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, Options);
        try
        {
            obj.WriteTo(writer, ApiJson.Options);
            writer.Flush();
            return buffer.WrittenMemory;
        }
        finally
        {
            writer.Reset(buffer);
        }
    }
}
