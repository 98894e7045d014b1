using System.Text;
using System.Text.Json.Nodes;
using Gantry.Client.Transport;

namespace Gantry.Client.Tests.Api;

public sealed class ManagedFieldsCutTests
{
    private const string Entries = """[{"manager":"m","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:k":{}}}}]""";

    private static string Cut(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var range = ManagedFieldsCut.Find(bytes);
        if (range is not { } r) return json;
        var (offset, length) = r.GetOffsetAndLength(bytes.Length);
        return Encoding.UTF8.GetString([.. bytes[..offset], .. bytes[(offset + length)..]]);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"a","managedFields":ENTRIES},"data":{}}""", """{"metadata":{"name":"a"},"data":{}}""")]
    [InlineData("""{"metadata":{"managedFields":ENTRIES,"name":"a"}}""", """{"metadata":{"name":"a"}}""")]
    [InlineData("""{"metadata":{"managedFields":ENTRIES}}""", """{"metadata":{}}""")]
    [InlineData("""{"kind":"ConfigMap","metadata":{"name":"a","managedFields":ENTRIES,"labels":{"x":"y"}}}""", """{"kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"y"}}}""")]
    [InlineData("""{ "metadata" : { "name" : "a" , "managedFields" : ENTRIES } }""", """{ "metadata" : { "name" : "a" } }""")]
    [InlineData("""{ "metadata" : { "managedFields" : null , "name" : "a" } }""", """{ "metadata" : { "name" : "a" } }""")]
    public void Find_CutsTheMemberAndOneComma_LeavingValidJson(string json, string expected)
    {
        var cut = Cut(json.Replace("ENTRIES", Entries));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(cut)), cut);
        Assert.Equal(expected.Replace(" ", ""), cut.Replace(" ", ""));
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"a","labels":{"managedFields":"x"}},"spec":{"managedFields":[]}}""")]
    [InlineData("""{"spec":{"managedFields":[]},"metadata":{"name":"a"}}""")]
    [InlineData("""{"kind":"ConfigMap"}""")]
    public void Find_LeavesObjectsWithoutTheMetadataMember_AsTheyAre(string json) => Assert.Null(ManagedFieldsCut.Find(Encoding.UTF8.GetBytes(json)));
}
