using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.Api.Strategies;

namespace Gantry.Api.Tests.Strategies;

public sealed class StrategyCatalogTests
{
    public static TheoryData<string, string> Kinds()
    {
        var data = new TheoryData<string, string>();
        foreach (var definition in BuiltInResources.All) data.Add(definition.ApiVersion, definition.Kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void For_EveryBuiltInKind_GivesAStrategyThatRejectsAMissingName(string apiVersion, string kind)
    {
        var definition = BuiltInResources.All.Single(d => d.ApiVersion == apiVersion && d.Kind == kind);
        var strategy = StrategyCatalog.For(definition);
        var obj = new JsonObject { ["metadata"] = new JsonObject { ["namespace"] = definition.Namespaced ? "default" : null } };

        strategy.PrepareForCreate(obj);
        strategy.ApplyDefaults(obj);
        var errors = strategy.ValidateCreate(obj);

        Assert.Equal(definition.Subresources.Contains("status"), strategy.HasStatusSubresource);
        Assert.Same(strategy, StrategyCatalog.For(definition));
        if (kind is not ("Binding" or "SelfSubjectAccessReview"))
            Assert.Contains(errors, e => e.Field == "metadata.name" && e.Message == "Required value: name or generateName is required");
    }

    [Fact]
    public void For_AnUnknownResource_IsGeneric()
    {
        var definition = new ResourceDefinition { Group = "example.com", Version = "v1", Kind = "Widget", Plural = "widgets", Namespaced = true, Subresources = ["status"] };
        var strategy = StrategyCatalog.For(definition);
        var obj = JsonNode.Parse("""{"metadata":{"name":"w","namespace":"default"},"spec":{"size":1},"status":{"x":1}}""")!.AsObject();

        strategy.PrepareForCreate(obj);

        Assert.Null(obj["status"]);
        Assert.Equal(1, (int?)obj["metadata"]!["generation"]);
        Assert.Empty(strategy.ValidateCreate(obj));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryStrategy_WithOddlyTypedFields_ReportsErrorsInsteadOfThrowing(string apiVersion, string kind)
    {
        var definition = BuiltInResources.All.Single(d => d.ApiVersion == apiVersion && d.Kind == kind);
        var strategy = StrategyCatalog.For(definition);
        string[] shapes =
        [
            """{"metadata":{"name":"x","namespace":"default","labels":[1],"annotations":"a","finalizers":{"a":1},"ownerReferences":"o"},"spec":[]}""",
            """{"metadata":{"name":"x","namespace":"default"},"spec":{"template":[],"selector":"s","containers":{"a":1},"ports":[1,"a",null],"replicas":"3","strategy":7,"rules":1},"data":[1],"rules":[1,{"verbs":"get"}],"subsets":"x","endpoints":[null],"roleRef":[],"subjects":{"a":1}}""",
            """{"metadata":{"name":"x","namespace":"default"},"spec":{"containers":[1,null,{"name":3,"ports":{"a":1},"env":"e","resources":{"limits":[]}}],"volumes":[null,"v"],"tolerations":"t","jobTemplate":[],"hard":[],"limits":{}}}""",
        ];

        foreach (var shape in shapes)
        {
            var obj = JsonNode.Parse(shape)!.AsObject();
            strategy.PrepareForCreate(obj);
            strategy.ApplyDefaults(obj);
            strategy.ValidateCreate(obj);
            var update = JsonNode.Parse(shape)!.AsObject();
            strategy.PrepareForUpdate(update, obj);
            strategy.ApplyDefaults(update);
            strategy.ValidateUpdate(update, obj);
            strategy.PrepareForStatusUpdate(update, obj);
            strategy.ValidateUpdate(update, obj);
        }
    }
}
