using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Gantry.Client.Transport;

/// <summary>Reads a newline-delimited JSON watch stream straight from UTF-8 bytes, one event per line.</summary>
internal static class WatchStreamReader
{
    /// <summary>The events of a watch stream; with <paramref name="omitManagedFields"/> objects are decoded without metadata.managedFields.</summary>
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(Stream stream, bool omitManagedFields, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(minimumReadSize: 16 * 1024));
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                var stop = false;
                while (!stop && TryReadLine(ref buffer, out var line))
                {
                    if (line.IsEmpty) continue;
                    var e = Parse<T>(line, omitManagedFields);
                    stop = e.Type == WatchEventType.Error;
                    yield return e;
                }
                if (stop) yield break;
                pipe.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) yield break;
            }
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>metadata.resourceVersion of a bookmark's object (null when absent).</summary>
    private static string? BookmarkResourceVersion(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("watch bookmark object is not a JSON object");
        if (!MetadataJson.Enter(ref reader)) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var version = reader.ValueTextEquals("resourceVersion"u8);
            reader.Read();
            if (version) return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            reader.Skip();
        }
        return null;
    }

    private static WatchEvent<T> Parse<T>(ReadOnlySequence<byte> sequence, bool omitManagedFields) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var line = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
        var reader = new Utf8JsonReader(line);
        string? type = null;
        int start = -1, end = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("watch event is not a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                start = (int)reader.TokenStartIndex;
                reader.Skip();
                end = (int)reader.BytesConsumed;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (start < 0) throw new JsonException($"watch event {type} has no object");
        var json = line[start..end];
        switch (type)
        {
            case "ERROR":
                return new WatchEvent<T>(WatchEventType.Error, null, null, JsonSerializer.Deserialize(json, KubernetesJsonOptions.TypeInfo<V1Status>()));
            case "BOOKMARK":
                // Only its resourceVersion counts: read without the kind's serializer metadata, which a watch of a kind
                // with no objects would otherwise build for its bookmarks alone.
                return new WatchEvent<T>(WatchEventType.Bookmark, null, BookmarkResourceVersion(json), null);
            default:
                var eventType = type switch
                {
                    "ADDED" => WatchEventType.Added,
                    "MODIFIED" => WatchEventType.Modified,
                    "DELETED" => WatchEventType.Deleted,
                    _ => throw new JsonException($"unknown watch event type {type}"),
                };
                var obj = (omitManagedFields ? DecodeWithoutManagedFields<T>(json) : JsonSerializer.Deserialize(json, KubernetesJsonOptions.TypeInfo<T>()))
                    ?? throw new JsonException($"watch event {type} has a null object");
                return new WatchEvent<T>(eventType, obj, obj.Metadata?.ResourceVersion, null);
        }
    }

    private static T? DecodeWithoutManagedFields<T>(ReadOnlySpan<byte> json)
    {
        if (ManagedFieldsCut.Find(json) is not { } cut) return JsonSerializer.Deserialize(json, KubernetesJsonOptions.TypeInfo<T>());
        var (offset, length) = cut.GetOffsetAndLength(json.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(json.Length - length);
        try
        {
            json[..offset].CopyTo(buffer);
            json[(offset + length)..].CopyTo(buffer.AsSpan(offset));
            return JsonSerializer.Deserialize(buffer.AsSpan(0, json.Length - length), KubernetesJsonOptions.TypeInfo<T>());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
