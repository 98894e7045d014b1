using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Validation;

namespace Gantry.Api.Tests.Validation;

public sealed class MetadataRulesTests
{
    private static List<string> Create(string json, bool namespaced = true)
    {
        var errors = new List<FieldError>();
        MetadataRules.ValidateCreate(JsonNode.Parse(json)!.AsObject(), namespaced, NameFormats.Dns1123Subdomain, errors);
        return errors.Select(e => $"{e.Field}: {e.Message}").ToList();
    }

    [Fact]
    public void ValidateCreate_RequiresNameAndNamespace()
    {
        Assert.Equal(["metadata.name: Required value: name or generateName is required", "metadata.namespace: Required value"], Create("""{"metadata":{}}"""));
    }

    [Fact]
    public void ValidateCreate_ChecksGenerateNameWithItsTrailingDashAllowed()
    {
        Assert.Empty(Create("""{"metadata":{"generateName":"web-","name":"web-x1y2z","namespace":"d"}}"""));
        Assert.StartsWith("metadata.generateName: Invalid value: \"Web-\": a lowercase RFC 1123 subdomain",
            Create("""{"metadata":{"generateName":"Web-","name":"web-abcde","namespace":"d"}}""").Single());
    }

    [Fact]
    public void ValidateCreate_ForbidsNamespaceOnClusterScopedKinds()
    {
        Assert.Equal(["metadata.namespace: Forbidden: not allowed on this type"], Create("""{"metadata":{"name":"n","namespace":"default"}}""", namespaced: false));
    }

    [Fact]
    public void ValidateCreate_ReportsLabelKeysAndValuesAtTheMapPath()
    {
        var errors = Create("""{"metadata":{"name":"n","namespace":"default","labels":{"-a":"ok","b":"bad value"}}}""");

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("metadata.labels: Invalid value: \"-a\": name part must consist of", errors[0]);
        Assert.StartsWith("metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string", errors[1]);
    }

    [Fact]
    public void ValidateCreate_LimitsAnnotationsTo256KiB()
    {
        var big = new string('x', 256 * 1024);
        Assert.Equal(["metadata.annotations: Too long: must have at most 262144 bytes"], Create("""{"metadata":{"name":"n","namespace":"d","annotations":{"a":""" + "\"" + big + "\"}}}"));
    }

    [Fact]
    public void ValidateCreate_ChecksOwnerReferencesAndFinalizers()
    {
        var errors = Create("""
            {"metadata":{"name":"n","namespace":"d","finalizers":["a/b/c"],
             "ownerReferences":[{"apiVersion":"apps/","kind":"ReplicaSet","name":"r","uid":"u","controller":true},{"apiVersion":"v1","kind":"Pod","name":"","uid":"u2","controller":true}]}}
            """);

        Assert.Equal("metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty", errors[0]);
        Assert.Equal("metadata.ownerReferences.name: Invalid value: \"\": must not be empty", errors[1]);
        Assert.EndsWith(": Only one reference can have Controller set to true. Found \"true\" in references for ReplicaSet/r and Pod/", errors[2]);
        Assert.StartsWith("metadata.finalizers: Invalid value: \"a/b/c\": a qualified name must consist", errors[3]);
    }

    [Fact]
    public void ValidateUpdate_KeepsIdentityFieldsImmutable()
    {
        var old = JsonNode.Parse("""{"metadata":{"name":"n","namespace":"d","uid":"1","creationTimestamp":"2026-01-02T03:04:05Z"}}""")!.AsObject();
        var changed = JsonNode.Parse("""{"metadata":{"name":"m","namespace":"e","uid":"2","creationTimestamp":"2026-01-02T03:04:06Z"}}""")!.AsObject();
        var errors = new List<FieldError>();

        MetadataRules.ValidateUpdate(changed, old, namespaced: true, errors);

        Assert.Equal(
        [
            "metadata.name: Invalid value: \"m\": field is immutable",
            "metadata.namespace: Invalid value: \"e\": field is immutable",
            "metadata.uid: Invalid value: \"2\": field is immutable",
            "metadata.creationTimestamp: Invalid value: 2026-01-02 03:04:06 +0000 UTC: field is immutable",
        ], errors.Select(e => $"{e.Field}: {e.Message}"));
    }

    [Fact]
    public void ValidateUpdate_ForbidsNewFinalizersWhileDeleting()
    {
        var old = JsonNode.Parse("""{"metadata":{"name":"n","deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["a.io/x"]}}""")!.AsObject();
        var changed = JsonNode.Parse("""{"metadata":{"name":"n","deletionTimestamp":"2026-01-01T00:00:00Z","finalizers":["a.io/x","a.io/y"]}}""")!.AsObject();
        var errors = new List<FieldError>();

        MetadataRules.ValidateUpdate(changed, old, namespaced: false, errors);

        Assert.Equal(["metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"a.io/y\"}"],
            errors.Select(e => $"{e.Field}: {e.Message}"));
    }
}
