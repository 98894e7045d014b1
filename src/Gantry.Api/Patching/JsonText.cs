using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// Equality of two JSON values by their serialized text. Equal text is equal JSON, and serializing a parsed value
/// that nobody has touched copies its bytes without building its tree, where <see cref="JsonNode.DeepEquals"/>
/// materializes every object it visits. Different text may still be equal JSON (members in another order), so callers
/// fall back to the tree comparison.
/// </summary>
internal static class JsonText
{
    // A buffer that grew for a large value is dropped rather than kept by the thread.
    private const int KeepCapacity = 256 * 1024;
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_left;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_right;

    /// <summary>True when both values serialize to the same bytes (both null counts as the same).</summary>
    public static bool Same(JsonNode? left, JsonNode? right)
    {
        if (left is null || right is null) return left is null && right is null;
        var a = t_left ??= new ArrayBufferWriter<byte>(4096);
        var b = t_right ??= new ArrayBufferWriter<byte>(4096);
        try
        {
            Write(left, a);
            Write(right, b);
            return a.WrittenSpan.SequenceEqual(b.WrittenSpan);
        }
        finally
        {
            a.ResetWrittenCount();
            b.ResetWrittenCount();
            if (a.Capacity > KeepCapacity) t_left = null;
            if (b.Capacity > KeepCapacity) t_right = null;
        }
    }

    private static void Write(JsonNode node, ArrayBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer, Options);
        node.WriteTo(writer);
    }
}
