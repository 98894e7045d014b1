using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>The default Table of Kubernetes for kinds without their own columns: NAME and AGE.</summary>
public sealed class NameAgePrinter : IResourcePrinter
{
    /// <inheritdoc />
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Name", "string", "name", "Name must be unique within a namespace."),
        new("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ];

    /// <inheritdoc />
    public JsonArray Cells(JsonObject obj, DateTimeOffset now) =>
        [obj["metadata"]?["name"]?.GetValue<string>(), Age.Since(obj, now)];
}
