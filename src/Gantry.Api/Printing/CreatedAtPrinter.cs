using System.Globalization;
using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>
/// The API server's default Table for built-in kinds without their own columns (Role, LimitRange, ...):
/// NAME and CREATED AT, the creation time in UTC RFC 3339 (rest.defaultTableConvertor).
/// </summary>
public sealed class CreatedAtPrinter : IResourcePrinter
{
    /// <inheritdoc />
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        Col.Name,
        new("Created At", "date", "", ColumnDescriptions.CreationTimestamp),
    ];

    /// <inheritdoc />
    public JsonNode?[] Cells(JsonObject obj, DateTimeOffset now)
    {
        // A missing timestamp is Go's zero time, which formats as year 1.
        var created = JsonRead.Time(obj, "metadata.creationTimestamp") ?? DateTimeOffset.MinValue;
        return [Col.NameOf(obj), created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)];
    }
}
