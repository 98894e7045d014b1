using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Printing;
using Gantry.ApiServer.Cache;

namespace Gantry.ApiServer.Handlers;

/// <summary>Server-side printing: meta.k8s.io/v1 Tables as kubectl get asks for them.</summary>
public static class TableWriter
{
    /// <summary>Whether the Accept header asks for a Table.</summary>
    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    /// <summary>Writes a Table of the given objects.</summary>
    public static void Write(Utf8JsonWriter writer, IResourcePrinter printer, IEnumerable<CachedObject> items, string includeObject,
        bool withColumns, long revision, string? continueToken, long remaining, DateTimeOffset now)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", "Table");
        writer.WriteString("apiVersion", "meta.k8s.io/v1");
        writer.WriteStartObject("metadata");
        writer.WriteString("resourceVersion", revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (continueToken is not null) writer.WriteString("continue", continueToken);
        if (remaining > 0) writer.WriteNumber("remainingItemCount", remaining);
        writer.WriteEndObject();
        writer.WritePropertyName("columnDefinitions");
        if (withColumns)
        {
            writer.WriteStartArray();
            foreach (var c in printer.Columns)
            {
                writer.WriteStartObject();
                writer.WriteString("name", c.Name);
                writer.WriteString("type", c.Type);
                writer.WriteString("format", c.Format);
                writer.WriteString("description", c.Description);
                writer.WriteNumber("priority", c.Priority);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        else writer.WriteNullValue();
        writer.WriteStartArray("rows");
        foreach (var item in items) WriteRow(writer, printer, item, includeObject, now);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter writer, IResourcePrinter printer, CachedObject item, string includeObject, DateTimeOffset now)
    {
        var obj = item.Parse();
        writer.WriteStartObject();
        writer.WritePropertyName("cells");
        writer.WriteStartArray();
        foreach (var cell in printer.Cells(obj, now))
        {
            if (cell is null) writer.WriteNullValue();
            else cell.WriteTo(writer);
        }
        writer.WriteEndArray();
        switch (includeObject)
        {
            case "None":
                break;
            case "Object":
                writer.WritePropertyName("object");
                writer.WriteRawValue(item.Json, skipInputValidation: true);
                break;
            default:
                writer.WriteStartObject("object");
                writer.WriteString("kind", "PartialObjectMetadata");
                writer.WriteString("apiVersion", "meta.k8s.io/v1");
                writer.WritePropertyName("metadata");
                (obj["metadata"] ?? new JsonObject()).WriteTo(writer);
                writer.WriteEndObject();
                break;
        }
        writer.WriteEndObject();
    }
}
