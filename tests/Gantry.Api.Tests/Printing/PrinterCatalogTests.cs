using System.Text.Json.Nodes;
using Gantry.Api.Printing;
using Gantry.Api.Registry;
using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class PrinterCatalogTests
{
    public static TheoryData<string, string> AllResources()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in BuiltInResources.All) data.Add(r.Group, r.Kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllResources))]
    public void EveryBuiltInPrinter_FillsOneCellPerColumn_EvenForABareObject(string group, string kind)
    {
        var printer = Printer(group, kind);
        Assert.Equal("Name", printer.Columns.First(c => c.Format == "name").Name);
        Assert.All(printer.Columns, c => Assert.Contains(c.Type, new[] { "string", "integer", "number", "boolean", "date" }));
        Assert.Equal(printer.Columns.Count, printer.Cells(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } }, Now).Length);
        Assert.Equal(printer.Columns.Count, printer.Cells(new JsonObject(), Now).Length);
    }

    [Theory]
    [InlineData("rbac.authorization.k8s.io", "Role")]
    [InlineData("rbac.authorization.k8s.io", "ClusterRole")]
    [InlineData("", "LimitRange")]
    public void BuiltInKindWithoutColumns_GetsNameAndCreatedAt(string group, string kind)
    {
        var printer = Printer(group, kind);
        Assert.IsType<CreatedAtPrinter>(printer);
        Assert.Equal(["Name", "Created At"], printer.Columns.Select(c => c.Name));
        Assert.Equal("date", printer.Columns[1].Type);
        Assert.Equal(["view", "2026-01-10T03:04:05Z"],
            Row(group, kind, """{"metadata":{"name":"view","creationTimestamp":"2026-01-10T04:04:05+01:00"}}"""));
    }

    [Fact]
    public void CustomResource_GetsNameAndAge()
    {
        var definition = new ResourceDefinition { Group = "example.com", Version = "v1", Kind = "Widget", Plural = "widgets", Namespaced = true };
        var printer = PrinterCatalog.For(definition);
        Assert.IsType<NameAgePrinter>(printer);
        Assert.Equal(["Name", "Age"], printer.Columns.Select(c => c.Name));
        Assert.Equal("w", printer.Cells(JsonNode.Parse("""{"metadata":{"name":"w","creationTimestamp":"2026-01-10T11:00:00Z"}}""")!.AsObject(), Now)[0]!.GetValue<string>());
    }

    [Fact]
    public void PrinterFor_IsTheCatalogsPrinter() =>
        Assert.Same(PrinterCatalog.For(Resource("", "Pod")), ResourceRegistry.PrinterFor(Resource("", "Pod")));
}
