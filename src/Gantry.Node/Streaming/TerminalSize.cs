using System.Text.Json;

namespace Gantry.Node.Streaming;

/// <summary>A resize message: the JSON object {"Width":w,"Height":h} on the resize channel or stream.</summary>
internal static class TerminalSize
{
    /// <summary>Parses one resize message; null when it is not one.</summary>
    public static (ushort Columns, ushort Rows)? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            ushort width = 0, height = 0;
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("Width") || property.NameEquals("width")) width = property.Value.GetUInt16();
                else if (property.NameEquals("Height") || property.NameEquals("height")) height = property.Value.GetUInt16();
            }
            return (width, height);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Reads concatenated resize objects from a stream (SPDY's resize stream, as Go's json.Decoder).</summary>
    public static async Task PumpAsync(Stream source, Action<ushort, ushort> resize, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var pending = new List<byte>();
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    pending.Add(buffer[i]);
                    // Resize objects are flat, so each closing brace ends one.
                    if (buffer[i] != (byte)'}') continue;
                    if (Parse(pending.ToArray()) is { } size) resize(size.Columns, size.Rows);
                    pending.Clear();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The session ended.
        }
    }
}
