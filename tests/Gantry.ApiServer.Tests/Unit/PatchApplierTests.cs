using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.ApiServer.Handlers;

namespace Gantry.ApiServer.Tests.Unit;

public sealed class PatchApplierTests
{
    private static readonly ResourceDefinition Pods = ResourceRegistry.BuiltIn.Find("", "v1", "pods")!;
    private const string Strategic = "application/strategic-merge-patch+json";

    [Fact]
    public void TouchedMembers_OfAnObjectPatch_AreItsTopLevelKeys()
    {
        var patch = JsonNode.Parse("""{"metadata":{"uid":"u"},"status":{"phase":"Running"}}""");
        Assert.Equal(["metadata", "status"], PatchApplier.TouchedMembers(Strategic, patch, Pods)!.Order());
        Assert.Equal(["spec"], PatchApplier.TouchedMembers("application/merge-patch+json", JsonNode.Parse("""{"spec":null}"""), Pods));
    }

    [Theory]
    [InlineData(Strategic, """{"$patch":"replace","spec":{}}""")]
    [InlineData(Strategic, """{"$retainKeys":["spec"],"spec":{}}""")]
    [InlineData("application/json-patch+json", """[{"op":"replace","path":"/status/phase","value":"Running"}]""")]
    public void TouchedMembers_OfPatchesThatMayChangeAnyMember_AreAll(string mediaType, string patch) =>
        Assert.Null(PatchApplier.TouchedMembers(mediaType, JsonNode.Parse(patch), Pods));

    [Fact]
    public void TouchedMembers_OfAConvertedVersion_AreAll()
    {
        var converted = ResourceRegistry.BuiltIn.Resources.FirstOrDefault(r => r.StorageResource is not null && r.Group.Length > 0);
        Assert.NotNull(converted);
        Assert.Null(PatchApplier.TouchedMembers(Strategic, JsonNode.Parse("""{"spec":{}}"""), converted));
    }
}
