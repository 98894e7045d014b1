using Gantry.Api.Patching;

namespace Gantry.Api.Tests.Patching;

public sealed class FieldSetTests
{
    [Fact]
    public void FieldsV1_RoundTrips()
    {
        const string fields = """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:image":{}}}}}""";
        Json.Same(fields, FieldSet.FromFieldsV1(Json.Object(fields)).ToFieldsV1());
    }

    [Fact]
    public void FieldsV1_OrdersFieldsThenKeysThenValues_NumbersByValue()
    {
        var set = new FieldSet();
        set.Insert(["v:\"b\""]);
        set.Insert(["k:{\"containerPort\":443,\"protocol\":\"TCP\"}"]);
        set.Insert(["k:{\"containerPort\":80,\"protocol\":\"TCP\"}"]);
        set.Insert(["f:z"]);
        set.Insert(["v:\"a\""]);
        Assert.Equal(
            ["f:z", "k:{\"containerPort\":80,\"protocol\":\"TCP\"}", "k:{\"containerPort\":443,\"protocol\":\"TCP\"}", "v:\"a\"", "v:\"b\""],
            set.ToFieldsV1().Select(p => p.Key));
    }

    [Fact]
    public void SetOperations_WorkOnMembers()
    {
        var a = FieldSet.FromFieldsV1(Json.Object("""{"f:a":{},"f:b":{"f:c":{}}}"""));
        var b = FieldSet.FromFieldsV1(Json.Object("""{"f:b":{"f:c":{},"f:d":{}}}"""));
        Json.Same("""{"f:b":{"f:c":{}}}""", a.Intersection(b).ToFieldsV1());
        Json.Same("""{"f:a":{}}""", a.Difference(b).ToFieldsV1());
        Json.Same("""{"f:a":{},"f:b":{"f:c":{},"f:d":{}}}""", a.Union(b).ToFieldsV1());
        Assert.True(a.HasMembersBelow(["f:b"]));
        Assert.False(a.Contains(["f:b"]));
    }

    [Fact]
    public void PathElement_DisplaysPathsLikeConflictMessages()
    {
        Assert.Equal(".spec.containers[name=\"app\"].ports[containerPort=80,protocol=\"TCP\"]",
            PathElement.Display(["f:spec", "f:containers", "k:{\"name\":\"app\"}", "f:ports", "k:{\"containerPort\":80,\"protocol\":\"TCP\"}"]));
        Assert.Equal(".metadata.finalizers[=\"x\"]", PathElement.Display(["f:metadata", "f:finalizers", "v:\"x\""]));
    }
}
