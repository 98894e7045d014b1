using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>Column definitions and cell helpers shared by many printers, as printers.go repeats them.</summary>
internal static class Col
{
    /// <summary>The NAME column.</summary>
    public static readonly TableColumn Name = new("Name", "string", "name", ColumnDescriptions.Name);

    /// <summary>The AGE column.</summary>
    public static readonly TableColumn Age = new("Age", "string", "", ColumnDescriptions.CreationTimestamp);

    /// <summary>The wide CONTAINERS column.</summary>
    public static readonly TableColumn Containers = Wide("Containers", ColumnDescriptions.Containers);

    /// <summary>The wide IMAGES column.</summary>
    public static readonly TableColumn Images = Wide("Images", ColumnDescriptions.Images);

    /// <summary>A default string column.</summary>
    public static TableColumn Text(string name, string description) => new(name, "string", "", description);

    /// <summary>A default integer column.</summary>
    public static TableColumn Integer(string name, string description) => new(name, "integer", "", description);

    /// <summary>A string column shown by <c>-o wide</c> only.</summary>
    public static TableColumn Wide(string name, string description) => new(name, "string", "", description, 1);

    /// <summary>The object's name.</summary>
    public static string NameOf(JsonObject obj) => JsonRead.Text(obj, "metadata.name");

    /// <summary>The comma-joined container names and images of a pod spec (layoutContainerCells).</summary>
    public static (string Names, string Images) ContainerCells(JsonNode? podSpec)
    {
        var containers = JsonRead.Array(podSpec, "containers");
        return (string.Join(",", containers.Select(c => JsonRead.Text(c, "name"))),
                string.Join(",", containers.Select(c => JsonRead.Text(c, "image"))));
    }
}
