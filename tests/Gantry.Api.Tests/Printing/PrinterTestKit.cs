using Xunit;
using System.Text.Json.Nodes;
using Gantry.Api.Printing;
using Gantry.Api.Registry;

namespace Gantry.Api.Tests.Printing;

/// <summary>Prints test objects with the catalog's printer at a fixed "now".</summary>
internal static class PrinterTestKit
{
    public static readonly DateTimeOffset Now = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An RFC 3339 timestamp the given time before <see cref="Now"/>.</summary>
    public static string Ago(TimeSpan span) => (Now - span).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    public static ResourceDefinition Resource(string group, string kind) =>
        BuiltInResources.All.Single(r => r.Group == group && r.Kind == kind);

    public static IResourcePrinter Printer(string group, string kind) => PrinterCatalog.For(Resource(group, kind));

    /// <summary>The row of an object, as plain .NET values (string, long, bool) for easy comparison.</summary>
    public static object?[] Row(string group, string kind, string json)
    {
        var printer = Printer(group, kind);
        var cells = printer.Cells(JsonNode.Parse(json)!.AsObject(), Now);
        Assert.Equal(printer.Columns.Count, cells.Length);
        return cells.Select(Plain).ToArray();
    }

    /// <summary>The cell under a column header (case-insensitive), e.g. "STATUS".</summary>
    public static object? Cell(string group, string kind, string json, string column)
    {
        var printer = Printer(group, kind);
        var index = printer.Columns.ToList().FindIndex(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase));
        Assert.True(index >= 0, $"no column {column}");
        return Row(group, kind, json)[index];
    }

    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => (long)i,
        _ => node.ToJsonString(),
    };
}
