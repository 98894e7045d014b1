using System.Text;
using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Cache;
using Gantry.Storage;

namespace Gantry.ApiServer.Tests.Unit;

public sealed class CachedFieldsTests
{
    private static readonly ResourceDefinition Pods = ResourceRegistry.BuiltIn.Find("", "v1", "pods")!;
    private static readonly IReadOnlyDictionary<string, Func<JsonObject, string?>> Catalog = FieldCatalog.For(Pods);

    private static CachedObject Cached(string json) =>
        CachedObject.From(new StoredValue("/registry/pods/d/p", Encoding.UTF8.GetBytes(json), 7, 7), 7, Catalog, FieldCatalog.IndexedField(Pods));

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c"}],"nodeName":"node-1"},"metadata":{"name":"p","namespace":"d"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[]},"metadata":{"name":"p","namespace":"d"},"status":{"nodeName":"not-this"}}""")]
    [InlineData("""{"metadata":{"name":"p","namespace":"d","annotations":{"spec":"x"}},"spec":{"nodeName":null}}""")]
    [InlineData("""{"metadata":{"name":"p","namespace":"d"},"spec":{"nodeName":5,"hostNetwork":true}}""")]
    [InlineData("""{"metadata":{"name":"p","namespace":"d"},"spec":{"nested":{"nodeName":"deeper"},"nodeName":"n\u00e9\"q"}}""")]
    [InlineData("""{"metadata":{"name":"p","namespace":"d"},"spec":"not an object"}""")]
    [InlineData("""{"metadata":{"name":"p"},"status":{"phase":"Running","podIPs":[{"ip":"10.0.0.9"}]}}""")]
    public void EveryField_ReadsAsTheCatalogReadsTheParsedObject(string json)
    {
        var parsed = (JsonObject)JsonNode.Parse(json)!;
        var fields = Cached(json).Fields;
        foreach (var (name, read) in Catalog)
            Assert.Equal(read(parsed), fields.GetValueOrDefault(name));
        Assert.Equal(Catalog.Keys.Order(), fields.Select(f => f.Key).Order());
        Assert.Null(fields.GetValueOrDefault("spec.unknown"));
    }

    [Fact]
    public void IndexedField_IsReadWithoutParsingTheObject()
    {
        // Invalid JSON after the scanned members: a scan stops before it, a parse would throw.
        var fields = Cached("""{"metadata":{"name":"p","namespace":"d"},"spec":{"nodeName":"node-7"},"status":{"phase":""" + "}").Fields;
        Assert.Equal("node-7", fields.GetValueOrDefault("spec.nodeName"));
        Assert.Equal("p", fields.GetValueOrDefault("metadata.name"));
        Assert.Equal("d", fields.GetValueOrDefault("metadata.namespace"));
    }
}
