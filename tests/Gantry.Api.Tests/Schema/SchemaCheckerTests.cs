using System.Text.Json.Nodes;
using Gantry.Api.Schema;

namespace Gantry.Api.Tests.Schema;

public sealed class SchemaCheckerTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"web","image":"nginx","imagee":"typo",
             "ports":[{"containerPort":80}],
             "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":1}},
             "livenessProbe":{"httpGet":{"port":"http","path":"/"}},
             "readinessProbe":{"tcpSocket":{"port":8080}}}]}}}}
        """;

    [Fact]
    public void Check_OfSomeMembers_WalksOnlyThose()
    {
        var obj = Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","bogus":1},"spec":{"nodeName":5},"status":{"phase":"Running","extra":true}}""");
        var report = SchemaChecker.Check(obj, "v1", "Pod", ["status"]);
        Assert.Equal(["status.extra"], report.UnknownFields);
        Assert.Empty(report.TypeErrors);
        Assert.False(obj["status"]!.AsObject().ContainsKey("extra"));
        // Outside the members nothing is walked: as stored, not pruned.
        Assert.True(obj["metadata"]!.AsObject().ContainsKey("bogus"));

        var all = SchemaChecker.Check(Parse(obj.ToJsonString()), "v1", "Pod");
        Assert.Equal(["metadata.bogus"], all.UnknownFields);
        Assert.Single(all.TypeErrors);
    }

    [Fact]
    public void Check_UnknownNestedField_IsReportedWithKubernetesPathAndPruned()
    {
        var obj = Parse(Deployment);
        var report = SchemaChecker.Check(obj, "apps/v1", "Deployment");
        Assert.Equal(["spec.template.spec.containers[0].imagee"], report.UnknownFields);
        Assert.Empty(report.TypeErrors);
        var container = obj["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        Assert.False(container.ContainsKey("imagee"));
        Assert.Equal("nginx", container["image"]!.GetValue<string>());
    }

    [Fact]
    public void Check_ValidObject_IsClean()
    {
        var obj = Parse(Deployment);
        obj["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject().Remove("imagee");
        var before = obj.ToJsonString();
        var report = SchemaChecker.Check(obj, "apps/v1", "Deployment");
        Assert.True(report.IsClean);
        Assert.Equal(before, obj.ToJsonString());
    }

    [Fact]
    public void Check_SeveralUnknownFields_AreAllReported()
    {
        var obj = Parse("""{"apiVersion":"v1","kind":"Pod","foo":1,"metadata":{"name":"p","bar":true},"spec":{"containers":[{"name":"a"},{"name":"b","baz":{}}]}}""");
        var report = SchemaChecker.Check(obj, "v1", "Pod");
        Assert.Equal(["foo", "metadata.bar", "spec.containers[1].baz"], report.UnknownFields.Order());
        Assert.Equal("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""", obj.ToJsonString());
    }

    [Fact]
    public void Check_WrongType_IsWordedLikeEncodingJson()
    {
        var obj = Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":"nginx"}}""");
        var report = SchemaChecker.Check(obj, "v1", "Pod");
        Assert.Equal(["json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"], report.TypeErrors);
    }

    [Theory]
    [InlineData("""{"replicas":"3"}""", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")]
    [InlineData("""{"replicas":1.5}""", "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32")]
    [InlineData("""{"replicas":3000000000}""", "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32")]
    [InlineData("""{"paused":"yes"}""", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool")]
    [InlineData("""{"selector":[]}""", "json: cannot unmarshal array into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector")]
    [InlineData("""{"selector":{"matchLabels":{"app":1}}}""", "json: cannot unmarshal number into Go struct field LabelSelector.spec.selector.matchLabels of type string")]
    public void Check_WrongScalarTypes_NameTheField(string spec, string expected)
    {
        var obj = Parse($$"""{"apiVersion":"apps/v1","kind":"Deployment","spec":{{spec}}}""");
        Assert.Equal([expected], SchemaChecker.Check(obj, "apps/v1", "Deployment").TypeErrors);
    }

    [Fact]
    public void Check_LabelAndAnnotationValuesMustBeStrings()
    {
        var obj = Parse("""{"metadata":{"labels":{"a":"x","b":true},"annotations":{"c":{"d":1}}}}""");
        var errors = SchemaChecker.Check(obj, "v1", "ConfigMap").TypeErrors;
        Assert.Contains("json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string", errors);
        Assert.Contains("json: cannot unmarshal object into Go struct field ObjectMeta.metadata.annotations of type string", errors);
    }

    [Theory]
    [InlineData("\"500m\"")]
    [InlineData("\"1.5Gi\"")]
    [InlineData("2")]
    [InlineData("0.5")]
    public void Check_QuantityAcceptsStringsAndNumbers(string value)
    {
        var obj = Parse("""{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":""" + value + "}}}]}}");
        Assert.True(SchemaChecker.Check(obj, "v1", "Pod").IsClean);
    }

    [Fact]
    public void Check_QuantityWithBadSyntax_IsAnError()
    {
        var obj = Parse("""{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"lots"}}}]}}""");
        var error = Assert.Single(SchemaChecker.Check(obj, "v1", "Pod").TypeErrors);
        Assert.StartsWith("quantities must match the regular expression", error);
        Assert.Contains("spec.containers.resources.limits", error);
    }

    [Theory]
    [InlineData("8080", true)]
    [InlineData("\"http\"", true)]
    [InlineData("1.5", false)]
    [InlineData("true", false)]
    [InlineData("{}", false)]
    public void Check_IntOrStringAcceptsIntegersAndStrings(string value, bool ok)
    {
        var obj = Parse($$$"""{"spec":{"ports":[{"port":80,"targetPort":{{{value}}}}]}}""");
        var report = SchemaChecker.Check(obj, "v1", "Service");
        Assert.Equal(ok, report.IsClean);
        if (!ok) Assert.Contains("ServicePort.spec.ports.targetPort of type intstr.IntOrString", Assert.Single(report.TypeErrors));
    }

    [Theory]
    [InlineData("\"2024-01-02T03:04:05Z\"", true)]
    [InlineData("\"2024-01-02T03:04:05.123456+02:00\"", true)]
    [InlineData("null", true)]
    [InlineData("\"yesterday\"", false)]
    [InlineData("12", false)]
    public void Check_TimeMustBeRfc3339OrNull(string value, bool ok)
    {
        var obj = Parse($$$"""{"metadata":{"name":"x","creationTimestamp":{{{value}}}}}""");
        var report = SchemaChecker.Check(obj, "v1", "ConfigMap");
        Assert.Equal(ok, report.IsClean);
        if (!ok) Assert.Contains("metadata.creationTimestamp", Assert.Single(report.TypeErrors));
    }

    [Fact]
    public void Check_NullIsAcceptedAnywhere()
    {
        var obj = Parse("""{"metadata":null,"spec":{"replicas":null,"template":{"spec":{"containers":[null]}}},"status":null}""");
        Assert.True(SchemaChecker.Check(obj, "apps/v1", "Deployment").IsClean);
    }

    [Fact]
    public void Check_SecretDataMustBeBase64()
    {
        var ok = Parse("""{"data":{"k":"aGVsbG8="},"stringData":{"s":"plain"}}""");
        Assert.True(SchemaChecker.Check(ok, "v1", "Secret").IsClean);
        var bad = Parse("""{"data":{"k":"not base64!"}}""");
        Assert.Contains("data", Assert.Single(SchemaChecker.Check(bad, "v1", "Secret").TypeErrors));
    }

    [Fact]
    public void Check_RawFieldsKeepAnything()
    {
        var obj = Parse("""{"data":{"any":{"thing":[1,{"x":null}]}},"revision":1,"metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}]}}""");
        var before = obj.ToJsonString();
        Assert.True(SchemaChecker.Check(obj, "apps/v1", "ControllerRevision").IsClean);
        Assert.Equal(before, obj.ToJsonString());
    }

    [Fact]
    public void Check_MicroTimeFieldsAreTimes()
    {
        var obj = Parse("""{"spec":{"holderIdentity":"me","renewTime":"2024-01-02T03:04:05.000000Z","leaseDurationSeconds":15}}""");
        Assert.True(SchemaChecker.Check(obj, "coordination.k8s.io/v1", "Lease").IsClean);
        var events = Parse("""{"eventTime":"2024-01-02T03:04:05.000000Z","reason":"Started","regarding":{"kind":"Pod"}}""");
        Assert.True(SchemaChecker.Check(events, "events.k8s.io/v1", "Event").IsClean);
    }

    [Fact]
    public void Check_UnknownKind_IsNotChecked()
    {
        var obj = Parse("""{"spec":{"whatever":1}}""");
        Assert.True(SchemaChecker.Check(obj, "example.com/v1", "Widget").IsClean);
        Assert.True(obj["spec"]!.AsObject().ContainsKey("whatever"));
    }

    [Fact]
    public void Check_ValuesBuiltInCode_AreCheckedLikeParsedOnes()
    {
        var obj = new JsonObject
        {
            ["spec"] = new JsonObject { ["replicas"] = 3, ["minReadySeconds"] = 5L, ["progressDeadlineSeconds"] = 2.5 },
        };
        var error = Assert.Single(SchemaChecker.Check(obj, "apps/v1", "Deployment").TypeErrors);
        Assert.Contains("progressDeadlineSeconds", error);
    }

    [Fact]
    public void Check_TenThousandDeepInput_DoesNotOverflowTheStack()
    {
        JsonNode deep = new JsonObject();
        for (var i = 0; i < 10_000; i++) deep = new JsonObject { ["a"] = deep };
        var obj = new JsonObject { ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = deep } } } };
        obj["spec"]!["selector"] = Nest(10_000);
        obj["spec"]!["template"]!["spec"] = new JsonObject { ["foo"] = Nest(10_000) };
        var report = SchemaChecker.Check(obj, "apps/v1", "Deployment");
        Assert.Equal(["spec.selector.a", "spec.template.spec.foo"], report.UnknownFields.Order());
        Assert.Contains("json: cannot unmarshal object into Go struct field ObjectMeta.spec.template.metadata.annotations of type string", report.TypeErrors);
    }

    [Fact]
    public void Check_ArraysNestedBeyondMaxDepth_AreReportedNotWalked()
    {
        JsonNode deep = new JsonArray();
        for (var i = 0; i < 10_000; i++) deep = new JsonArray(deep);
        var obj = new JsonObject { ["spec"] = new JsonObject { ["containers"] = deep } };
        var report = SchemaChecker.Check(obj, "v1", "Pod");
        Assert.NotEmpty(report.TypeErrors);
    }

    [Fact]
    public void Check_AfterAFailedCheck_StartsFresh()
    {
        SchemaChecker.Check(Parse("""{"spec":{"containers":[{"name":"a","bogus":1,"ports":"x"}]}}"""), "v1", "Pod");
        var report = SchemaChecker.Check(Parse("""{"spec":{"containers":[{"name":"a","other":1}]}}"""), "v1", "Pod");
        Assert.Equal(["spec.containers[0].other"], report.UnknownFields);
        Assert.Empty(report.TypeErrors);
    }

    [Fact]
    public void Check_FromManyThreads_GivesEachItsOwnReport()
    {
        Parallel.For(0, 200, i =>
        {
            var obj = Parse("{\"spec\":{\"replicas\":" + i + ",\"field" + i + "\":true}}");
            Assert.Equal([$"spec.field{i}"], SchemaChecker.Check(obj, "apps/v1", "Deployment").UnknownFields);
        });
    }

    private static JsonObject Nest(int depth)
    {
        var node = new JsonObject();
        for (var i = 0; i < depth; i++) node = new JsonObject { ["a"] = node };
        return node;
    }
}
