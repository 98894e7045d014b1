using Gantry.Api.Errors;
using Gantry.Api.Patching;

namespace Gantry.Api.Tests.Patching;

public sealed class JsonMergePatchTests
{
    // The examples of RFC 7386 appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Apply_FollowsRfc7386(string original, string patch, string expected) =>
        Json.Equal(expected, JsonMergePatch.Apply(Json.Object(original), patch));

    [Fact]
    public void Apply_ReplacesListsWhole()
    {
        var result = JsonMergePatch.Apply(Json.Object("""{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"""),
            """{"spec":{"containers":[{"name":"c","x":null}]}}""");
        Json.Equal("""{"spec":{"containers":[{"name":"c"}]}}""", result);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("null")]
    [InlineData("\"x\"")]
    [InlineData("{bad")]
    public void Apply_WithNonObjectPatch_IsBadRequest(string patch)
    {
        var e = Assert.Throws<ApiException>(() => JsonMergePatch.Apply(Json.Object("{}"), patch));
        Assert.Equal(400, e.Code);
        Assert.Equal("Invalid JSON Patch", e.Message);
    }
}
