using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>A printer made of its column list and a function that fills one row.</summary>
internal sealed class TablePrinter(IReadOnlyList<TableColumn> columns, Func<JsonObject, DateTimeOffset, JsonNode?[]> cells) : IResourcePrinter
{
    /// <inheritdoc />
    public IReadOnlyList<TableColumn> Columns { get; } = columns;

    /// <inheritdoc />
    public JsonNode?[] Cells(JsonObject obj, DateTimeOffset now) => cells(obj, now);
}
