using Gantry.Api.Errors;

namespace Gantry.Api.Tests.Strategies;

public sealed class PodStrategyTests
{
    private const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""";

    [Fact]
    public void Create_FillsKubernetesPodDefaults()
    {
        var pod = Api.Valid("v1", "Pod", Pod);

        Assert.Equal("\"Always\"", Api.At(pod, "spec.restartPolicy"));
        Assert.Equal("\"ClusterFirst\"", Api.At(pod, "spec.dnsPolicy"));
        Assert.Equal("\"default-scheduler\"", Api.At(pod, "spec.schedulerName"));
        Assert.Equal("30", Api.At(pod, "spec.terminationGracePeriodSeconds"));
        Assert.Equal("{}", Api.At(pod, "spec.securityContext"));
        Assert.Equal("true", Api.At(pod, "spec.enableServiceLinks"));
        Assert.Equal("\"/dev/termination-log\"", Api.At(pod, "spec.containers.0.terminationMessagePath"));
        Assert.Equal("\"File\"", Api.At(pod, "spec.containers.0.terminationMessagePolicy"));
        Assert.Equal("\"Always\"", Api.At(pod, "spec.containers.0.imagePullPolicy"));
        Assert.Equal("""{"phase":"Pending","qosClass":"BestEffort"}""", Api.At(pod, "status"));
        Assert.Equal("<absent>", Api.At(pod, "metadata.generation"));
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("localhost:5000/nginx", "Always")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    public void Create_DefaultsImagePullPolicyFromTheTag(string image, string policy)
    {
        var pod = Api.Valid("v1", "Pod", Pod.Replace("\"nginx\"", $"\"{image}\""));

        Assert.Equal($"\"{policy}\"", Api.At(pod, "spec.containers.0.imagePullPolicy"));
    }

    [Fact]
    public void Create_DefaultsPortsProbesEnvAndVolumes()
    {
        var pod = Api.Valid("v1", "Pod", """
            {"metadata":{"name":"web"},"spec":{
              "containers":[{"name":"c","image":"nginx:1","ports":[{"containerPort":80}],
                "env":[{"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}],
                "livenessProbe":{"httpGet":{"port":80}},
                "resources":{"limits":{"cpu":"1","memory":"1Gi"}},
                "volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg"},{"name":"tmp","mountPath":"/tmp"},{"name":"host","mountPath":"/host"}]}],
              "volumes":[{"name":"cfg","configMap":{"name":"cfg"}},{"name":"tmp"},{"name":"host","hostPath":{"path":"/"}},{"name":"s","secret":{"secretName":"s"}}]}}
            """);

        Assert.Equal("\"TCP\"", Api.At(pod, "spec.containers.0.ports.0.protocol"));
        Assert.Equal("\"v1\"", Api.At(pod, "spec.containers.0.env.0.valueFrom.fieldRef.apiVersion"));
        Assert.Equal("""{"httpGet":{"port":80,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}""",
            Api.At(pod, "spec.containers.0.livenessProbe"));
        Assert.Equal("""{"cpu":"1","memory":"1Gi"}""", Api.At(pod, "spec.containers.0.resources.requests"));
        Assert.Equal("420", Api.At(pod, "spec.volumes.0.configMap.defaultMode"));
        Assert.Equal("{}", Api.At(pod, "spec.volumes.1.emptyDir"));
        Assert.Equal("\"\"", Api.At(pod, "spec.volumes.2.hostPath.type"));
        Assert.Equal("420", Api.At(pod, "spec.volumes.3.secret.defaultMode"));
        Assert.Equal("\"Guaranteed\"", Api.At(pod, "status.qosClass"));
    }

    [Fact]
    public void Create_WritesDefaultsWithoutReformattingOtherFields()
    {
        var (pod, _) = Api.Create("v1", "Pod", """{"metadata":{"name":"web","labels":{"z":"1","a":"2"}},"spec":{"containers":[{"image":"nginx","name":"c","args":["x"]}]}}""");

        Assert.Equal("""{"z":"1","a":"2"}""", Api.At(pod, "metadata.labels"));
        Assert.StartsWith("""{"image":"nginx","name":"c","args":["x"],""", Api.At(pod, "spec.containers.0"));
    }

    [Fact]
    public void Create_WithoutContainers_IsRequired()
    {
        var (_, errors) = Api.Create("v1", "Pod", """{"metadata":{"name":"web"},"spec":{}}""");

        Assert.Equal(["spec.containers: Required value"], Api.Lines(errors));
    }

    [Fact]
    public void Create_WithoutImage_FormatsTheInvalidStatusLikeKubernetes()
    {
        var (_, errors) = Api.Create("v1", "Pod", """{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c"}]}}""");

        var exception = ApiException.Invalid("", "Pod", "x", errors);

        Assert.Equal(422, exception.Code);
        Assert.Equal("Pod \"x\" is invalid: spec.containers[0].image: Required value", exception.Message);
        var cause = exception.ToStatus()["details"]!["causes"]![0]!;
        Assert.Equal("FieldValueRequired", (string?)cause["reason"]);
        Assert.Equal("spec.containers[0].image", (string?)cause["field"]);
    }

    [Fact]
    public void Create_ReportsContainerNamePortAndEnvErrors()
    {
        var (_, errors) = Api.Create("v1", "Pod", """
            {"metadata":{"name":"web"},"spec":{
              "containers":[{"name":"Web","image":"a","ports":[{"containerPort":70000,"name":"HTTP","protocol":"ICMP"},{"containerPort":0,"hostPort":-1}],
                             "env":[{"name":"A=B"},{"name":""}]},
                            {"name":"b","image":"a"}],
              "initContainers":[{"name":"b","image":"a"}]}}
            """);

        Assert.Equal(
        [
            "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "spec.containers[0].ports[0].name: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "spec.containers[0].ports[0].name: Invalid value: \"HTTP\": must contain at least one letter (a-z)",
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.containers[0].ports[1].containerPort: Required value",
            "spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive",
            "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            "spec.containers[0].env[1].name: Required value",
            "spec.containers[0].env[1].name: Invalid value: \"\": environment variable name must be non-empty",
            "spec.initContainers[0].name: Duplicate value: \"b\"",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Create_ReportsHostPortConflicts()
    {
        var (_, errors) = Api.Create("v1", "Pod", """
            {"metadata":{"name":"web"},"spec":{"containers":[{"name":"a","image":"x","ports":[{"containerPort":80,"hostPort":8080}]},
                                                             {"name":"b","image":"x","ports":[{"containerPort":81,"hostPort":8080}]}]}}
            """);

        Assert.Equal(["spec.containers[1].ports[0].hostPort: Duplicate value: \"/TCP/8080\""], Api.Lines(errors));
    }

    [Fact]
    public void Create_ReportsDuplicateContainerNames()
    {
        var (_, errors) = Api.Create("v1", "Pod", """{"metadata":{"name":"web"},"spec":{"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}}""");

        Assert.Equal(["spec.containers[1].name: Duplicate value: \"a\""], Api.Lines(errors));
    }

    [Fact]
    public void Create_ReportsPolicyVolumeAndResourceErrors()
    {
        var (_, errors) = Api.Create("v1", "Pod", """
            {"metadata":{"name":"web"},"spec":{"restartPolicy":"Sometimes","dnsPolicy":"Any","nodeName":"Node_1",
              "containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}},
                             "volumeMounts":[{"name":"missing","mountPath":"/m"}]}],
              "volumes":[{"name":"v","emptyDir":{}},{"name":"v","emptyDir":{}}]}}
            """);

        Assert.Equal(
        [
            "spec.volumes[1].name: Duplicate value: \"v\"",
            "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"",
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            "spec.dnsPolicy: Unsupported value: \"Any\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"",
            "spec.nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Create_WithEphemeralContainersOrBoundWhileGated_IsForbidden()
    {
        var (_, errors) = Api.Create("v1", "Pod", """
            {"metadata":{"name":"web"},"spec":{"nodeName":"n1","schedulingGates":[{"name":"wait"}],
              "containers":[{"name":"c","image":"x"}],"ephemeralContainers":[{"name":"debug","image":"busybox"}]}}
            """);

        Assert.Equal(
        [
            "spec.ephemeralContainers: Forbidden: cannot be set on create",
            "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Update_ChangingTheImage_IsAllowed()
    {
        var pod = Api.Valid("v1", "Pod", Pod);

        var (_, errors) = Api.Update("v1", "Pod", pod, p => p["spec"]!["containers"]![0]!["image"] = "nginx:2");

        Assert.Empty(errors);
    }

    [Fact]
    public void Update_ChangingOtherSpecFields_IsForbiddenWithKubernetesWording()
    {
        var pod = Api.Valid("v1", "Pod", Pod);

        var (_, errors) = Api.Update("v1", "Pod", pod, p => p["spec"]!["containers"]![0]!["args"] = new System.Text.Json.Nodes.JsonArray("x"));

        Assert.Equal(["spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"],
            Api.Lines(errors));
    }

    [Fact]
    public void Update_AddingAContainer_IsForbidden()
    {
        var pod = Api.Valid("v1", "Pod", Pod);

        var (_, errors) = Api.Update("v1", "Pod", pod, p => p["spec"]!["containers"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["name"] = "d", ["image"] = "x" }));

        Assert.Contains("spec.containers: Forbidden: pod updates may not add or remove containers", Api.Lines(errors));
    }

    [Fact]
    public void Update_AddingTolerationsAndLabels_IsAllowed()
    {
        var pod = Api.Valid("v1", "Pod", Pod);

        var (_, errors) = Api.Update("v1", "Pod", pod, p =>
        {
            p["spec"]!["tolerations"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"key":"k","operator":"Exists","effect":"NoSchedule"}]""");
            p["metadata"]!["labels"] = new System.Text.Json.Nodes.JsonObject { ["a"] = "b" };
        });

        Assert.Empty(errors);
    }

    [Fact]
    public void Update_ChangingTheName_IsImmutable()
    {
        var pod = Api.Valid("v1", "Pod", Pod);

        var (_, errors) = Api.Update("v1", "Pod", pod, p => p["metadata"]!["name"] = "other");

        Assert.Equal(["metadata.name: Invalid value: \"other\": field is immutable"], Api.Lines(errors));
    }

    [Fact]
    public void Update_WithoutUidOrTimestamps_KeepsTheStoredOnes()
    {
        var pod = Api.Valid("v1", "Pod", Pod);

        var (updated, errors) = Api.Update("v1", "Pod", pod, p =>
        {
            p["metadata"]!.AsObject().Remove("uid");
            p["metadata"]!.AsObject().Remove("creationTimestamp");
        });

        Assert.Empty(errors);
        Assert.Equal(Api.At(pod, "metadata.uid"), Api.At(updated, "metadata.uid"));
        Assert.Equal(Api.At(pod, "metadata.creationTimestamp"), Api.At(updated, "metadata.creationTimestamp"));
    }

    [Fact]
    public void StatusUpdate_KeepsTheSpecAndValidates()
    {
        var pod = Api.Valid("v1", "Pod", Pod);
        var strategy = Api.StrategyFor("v1", "Pod");
        var update = pod.DeepClone().AsObject();
        update["spec"]!["containers"]![0]!["image"] = "changed";
        update["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Running" };

        strategy.PrepareForStatusUpdate(update, pod);

        Assert.Equal("\"nginx\"", Api.At(update, "spec.containers.0.image"));
        Assert.Equal("\"Running\"", Api.At(update, "status.phase"));
        Assert.Empty(strategy.ValidateUpdate(update, pod));
    }
}
