using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>The default Table of custom resources without printer columns: NAME and AGE.</summary>
public sealed class NameAgePrinter : IResourcePrinter
{
    /// <inheritdoc />
    public IReadOnlyList<TableColumn> Columns { get; } = [Col.Name, Col.Age];

    /// <inheritdoc />
    public JsonNode?[] Cells(JsonObject obj, DateTimeOffset now) => [Col.NameOf(obj), Age.Since(obj, now)];
}
