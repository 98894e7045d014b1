using Gantry.Api.Errors;
using Gantry.Api.Patching;

namespace Gantry.Api.Tests.Patching;

public sealed class JsonPatchTests
{
    private const string Pod = """
        {"metadata":{"name":"p","labels":{"app":"web","a/b":"x","t~n":"y"}},
         "spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"}]}}
        """;

    private static string Apply(string original, string patch) =>
        JsonPatch.Apply(Json.Object(original), patch).ToJsonString();

    [Fact]
    public void Add_SetsObjectMember()
    {
        var result = JsonPatch.Apply(Json.Object(Pod), """[{"op":"add","path":"/metadata/labels/tier","value":"front"}]""");
        Assert.Equal("front", (string?)result["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public void Add_WithDash_AppendsToArray()
    {
        var result = JsonPatch.Apply(Json.Object(Pod), """[{"op":"add","path":"/spec/containers/-","value":{"name":"c"}}]""");
        Assert.Equal("c", (string?)result["spec"]!["containers"]![2]!["name"]);
    }

    [Fact]
    public void Add_AtIndex_InsertsBeforeExistingElement()
    {
        Json.Equal("""{"a":[1,9,2]}""", JsonPatch.Apply(Json.Object("""{"a":[1,2]}"""), """[{"op":"add","path":"/a/1","value":9}]"""));
        Json.Equal("""{"a":[1,2,9]}""", JsonPatch.Apply(Json.Object("""{"a":[1,2]}"""), """[{"op":"add","path":"/a/2","value":9}]"""));
    }

    [Fact]
    public void Add_WithNegativeIndex_CountsFromTheEnd()
    {
        Json.Equal("""{"a":[1,2,9]}""", JsonPatch.Apply(Json.Object("""{"a":[1,2]}"""), """[{"op":"add","path":"/a/-1","value":9}]"""));
    }

    [Fact]
    public void Add_PastTheEnd_IsRejectedWith422()
    {
        var e = Assert.Throws<ApiException>(() => Apply("""{"a":[1]}""", """[{"op":"add","path":"/a/5","value":9}]"""));
        Assert.Equal(422, e.Code);
        Assert.Equal("Invalid", e.Reason);
        Assert.Equal("the server rejected our request due to an error in our request", e.Message);
    }

    [Fact]
    public void Add_UnderMissingParent_IsRejected()
    {
        var e = Assert.Throws<ApiException>(() => Apply(Pod, """[{"op":"add","path":"/spec/nothing/here","value":1}]"""));
        Assert.Equal(422, e.Code);
    }

    [Fact]
    public void Pointer_UnescapesTildeOneAndTildeZero()
    {
        var result = JsonPatch.Apply(Json.Object(Pod), """
            [{"op":"replace","path":"/metadata/labels/a~1b","value":"1"},{"op":"remove","path":"/metadata/labels/t~0n"}]
            """);
        Json.Equal("""{"app":"web","a/b":"1"}""", result["metadata"]!["labels"]);
    }

    [Fact]
    public void Remove_DeletesMemberAndArrayElement()
    {
        var result = JsonPatch.Apply(Json.Object(Pod), """
            [{"op":"remove","path":"/metadata/labels"},{"op":"remove","path":"/spec/containers/0"}]
            """);
        Json.Equal("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"b","image":"redis"}]}}""", result);
    }

    [Fact]
    public void Remove_MissingMember_IsRejected()
    {
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply(Pod, """[{"op":"remove","path":"/metadata/annotations"}]""")).Code);
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply(Pod, """[{"op":"remove","path":"/spec/containers/2"}]""")).Code);
    }

    [Fact]
    public void Replace_ChangesValue_AndAddsMissingMemberLikeKubernetes()
    {
        var result = JsonPatch.Apply(Json.Object(Pod), """
            [{"op":"replace","path":"/spec/containers/1/image","value":"redis:7"},{"op":"replace","path":"/spec/replicas","value":3}]
            """);
        Assert.Equal("redis:7", (string?)result["spec"]!["containers"]![1]!["image"]);
        Assert.Equal(3, (int?)result["spec"]!["replicas"]);
    }

    [Fact]
    public void Replace_OutOfRangeIndex_IsRejected()
    {
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply(Pod, """[{"op":"replace","path":"/spec/containers/7","value":{}}]""")).Code);
    }

    [Fact]
    public void Move_RelocatesValue()
    {
        Json.Equal("""{"c":[{"x":1}]}""",
            JsonPatch.Apply(Json.Object("""{"b":{"x":1},"c":[]}"""), """[{"op":"move","from":"/b","path":"/c/0"}]"""));
    }

    [Fact]
    public void Move_FromMissingPath_IsRejected()
    {
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply("""{"a":1}""", """[{"op":"move","from":"/zz","path":"/b"}]""")).Code);
    }

    [Fact]
    public void Copy_DuplicatesValueIndependently()
    {
        var result = JsonPatch.Apply(Json.Object("""{"a":{"x":[1]}}"""), """
            [{"op":"copy","from":"/a","path":"/b"},{"op":"add","path":"/b/x/-","value":2}]
            """);
        Json.Equal("""{"a":{"x":[1]},"b":{"x":[1,2]}}""", result);
    }

    [Fact]
    public void Test_WithEqualValue_Passes()
    {
        var result = JsonPatch.Apply(Json.Object(Pod), """
            [{"op":"test","path":"/spec/containers/0","value":{"image":"nginx","name":"a"}},
             {"op":"replace","path":"/metadata/name","value":"q"}]
            """);
        Assert.Equal("q", (string?)result["metadata"]!["name"]);
    }

    [Fact]
    public void Test_WithDifferentValue_IsRejectedWith422AndNothingChanges()
    {
        var original = Json.Object(Pod);
        var e = Assert.Throws<ApiException>(() => JsonPatch.Apply(original, """
            [{"op":"replace","path":"/metadata/name","value":"q"},{"op":"test","path":"/metadata/name","value":"p"}]
            """));
        Assert.Equal(422, e.Code);
        Assert.Equal("Invalid", e.Reason);
        Assert.Equal("p", (string?)original["metadata"]!["name"]);
    }

    [Fact]
    public void Test_OfMissingMemberAgainstNull_Passes()
    {
        JsonPatch.Apply(Json.Object(Pod), """[{"op":"test","path":"/metadata/annotations","value":null}]""");
    }

    [Fact]
    public void UnknownOperation_IsRejected()
    {
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply(Pod, """[{"op":"frobnicate","path":"/a"}]""")).Code);
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply(Pod, """[{"path":"/a"}]""")).Code);
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply(Pod, """[{"op":"add","value":1}]""")).Code);
    }

    [Theory]
    [InlineData("""{"op":"add"}""", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")]
    [InlineData("""["add"]""", "json: cannot unmarshal string into Go value of type jsonpatch.Operation")]
    [InlineData("""[{"op":""", null)]
    public void MalformedPatch_IsBadRequest(string patch, string? message)
    {
        var e = Assert.Throws<ApiException>(() => Apply(Pod, patch));
        Assert.Equal(400, e.Code);
        Assert.Equal("BadRequest", e.Reason);
        if (message is not null) Assert.Equal(message, e.Message);
    }

    [Fact]
    public void TooManyOperations_IsEntityTooLarge()
    {
        var ops = string.Join(",", Enumerable.Repeat("""{"op":"test","path":"/metadata/name","value":"p"}""", JsonPatch.MaxOperations + 1));
        Assert.Equal(413, Assert.Throws<ApiException>(() => Apply(Pod, "[" + ops + "]")).Code);
    }

    [Fact]
    public void RootPath_IsRejected()
    {
        Assert.Equal(422, Assert.Throws<ApiException>(() => Apply(Pod, """[{"op":"replace","path":"","value":{}}]""")).Code);
    }

    [Fact]
    public void Apply_DoesNotModifyTheOriginal()
    {
        var original = Json.Object(Pod);
        JsonPatch.Apply(original, """[{"op":"remove","path":"/spec"}]""");
        Assert.NotNull(original["spec"]);
    }
}
