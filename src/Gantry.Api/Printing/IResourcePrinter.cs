using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>Turns objects of one kind into Table rows with the columns kubectl users know.</summary>
public interface IResourcePrinter
{
    /// <summary>The column definitions.</summary>
    IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>One cell per column (string, long, double, bool or null).</summary>
    JsonNode?[] Cells(JsonObject obj, DateTimeOffset now);
}
