namespace Gantry.Api.Tests.Strategies;

public sealed class AppsStrategyTests
{
    private const string Template = """{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}""";
    private static readonly string Deployment = $$$"""{"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{{{Template}}}}}""";

    [Fact]
    public void Deployment_Create_FillsDefaultsAndTemplateDefaults()
    {
        var deployment = Api.Valid("apps/v1", "Deployment", Deployment);

        Assert.Equal("1", Api.At(deployment, "spec.replicas"));
        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}""", Api.At(deployment, "spec.strategy"));
        Assert.Equal("10", Api.At(deployment, "spec.revisionHistoryLimit"));
        Assert.Equal("600", Api.At(deployment, "spec.progressDeadlineSeconds"));
        Assert.Equal("\"Always\"", Api.At(deployment, "spec.template.spec.restartPolicy"));
        Assert.Equal("\"IfNotPresent\"", Api.At(deployment, "spec.template.spec.containers.0.imagePullPolicy"));
        Assert.Equal("<absent>", Api.At(deployment, "spec.template.spec.enableServiceLinks"));
        Assert.Equal("1", Api.At(deployment, "metadata.generation"));
    }

    [Theory]
    [InlineData("apps/v1", "Deployment", "{}")]
    [InlineData("apps/v1", "ReplicaSet", """{"replicas":0}""")]
    [InlineData("apps/v1", "StatefulSet", """{"replicas":0,"availableReplicas":0}""")]
    [InlineData("apps/v1", "DaemonSet", """{"currentNumberScheduled":0,"numberMisscheduled":0,"desiredNumberScheduled":0,"numberReady":0}""")]
    [InlineData("v1", "ReplicationController", """{"replicas":0}""")]
    public void Create_StartsWithKubernetesZeroStatusAndNullTemplateTimestamp(string apiVersion, string kind, string status)
    {
        var selector = kind == "ReplicationController" ? """{"app":"web"}""" : """{"matchLabels":{"app":"web"}}""";
        var workload = Api.Valid(apiVersion, kind, $$$"""{"metadata":{"name":"web"},"status":{"replicas":9},"spec":{"selector":{{{selector}}},"template":{{{Template}}}}}""");

        Assert.Equal(status, Api.At(workload, "status"));
        Assert.Equal("""{"creationTimestamp":null,"labels":{"app":"web"}}""", Api.At(workload, "spec.template.metadata"));
    }

    [Fact]
    public void Deployment_Create_MirrorsServiceAccountNameIntoTheDeprecatedField()
    {
        var deployment = Api.Valid("apps/v1", "Deployment", Deployment.Replace("\"containers\"", "\"serviceAccountName\":\"builder\",\"containers\""));

        Assert.Equal("\"builder\"", Api.At(deployment, "spec.template.spec.serviceAccount"));
    }

    [Fact]
    public void Deployment_Create_WithMismatchedTemplateLabels_IsInvalid()
    {
        var (_, errors) = Api.Create("apps/v1", "Deployment", Deployment.Replace("\"app\":\"web\"}},\"template\"", "\"app\":\"api\"}},\"template\""));

        Assert.Equal(["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"], Api.Lines(errors));
    }

    [Fact]
    public void Deployment_Create_ReportsNegativeReplicasAndTemplateErrorsAtTheTemplatePath()
    {
        var (_, errors) = Api.Create("apps/v1", "Deployment",
            Deployment.Replace("\"selector\"", "\"replicas\":-1,\"selector\"").Replace("\"image\":\"nginx:1\"", "\"image\":\"\""));

        Assert.Equal(
        [
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.template.spec.containers[0].image: Required value",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Deployment_Create_WithoutSelector_IsRequired()
    {
        var (_, errors) = Api.Create("apps/v1", "Deployment", $$$"""{"metadata":{"name":"web"},"spec":{"template":{{{Template}}}}}""");

        Assert.Equal(
        [
            "spec.selector: Required value",
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Deployment_Update_ChangingTheSelector_IsImmutable()
    {
        var deployment = Api.Valid("apps/v1", "Deployment", Deployment);

        var (_, errors) = Api.Update("apps/v1", "Deployment", deployment, d =>
        {
            d["spec"]!["selector"]!["matchLabels"]!["app"] = "api";
            d["spec"]!["template"]!["metadata"]!["labels"]!["app"] = "api";
        });

        Assert.Equal(["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"api\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"],
            Api.Lines(errors));
    }

    [Fact]
    public void Deployment_Update_BumpsTheGenerationOnSpecChangesOnly()
    {
        var deployment = Api.Valid("apps/v1", "Deployment", Deployment);

        var (scaled, _) = Api.Update("apps/v1", "Deployment", deployment, d => d["spec"]!["replicas"] = 3);
        var (labelled, _) = Api.Update("apps/v1", "Deployment", deployment, d => d["metadata"]!["labels"] = new System.Text.Json.Nodes.JsonObject { ["x"] = "y" });

        Assert.Equal("2", Api.At(scaled, "metadata.generation"));
        Assert.Equal("1", Api.At(labelled, "metadata.generation"));
    }

    [Fact]
    public void Deployment_Update_ReplacingWithTheSameManifest_KeepsTheGeneration()
    {
        var deployment = Api.Valid("apps/v1", "Deployment", Deployment);
        var manifest = Api.Parse(Deployment);
        manifest["metadata"] = deployment["metadata"]!.DeepClone();

        var (replaced, errors) = Api.Update("apps/v1", "Deployment", deployment, d =>
        {
            d.Clear();
            foreach (var (key, value) in manifest) d[key] = value?.DeepClone();
        });

        Assert.Empty(errors);
        Assert.Equal("1", Api.At(replaced, "metadata.generation"));
    }

    [Fact]
    public void Deployment_Create_WithZeroSurgeAndUnavailable_IsInvalid()
    {
        var (_, errors) = Api.Create("apps/v1", "Deployment",
            Deployment.Replace("\"selector\"", "\"strategy\":{\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":\"0%\"}},\"selector\""));

        Assert.Equal(["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0"], Api.Lines(errors));
    }

    [Fact]
    public void ReplicaSet_Create_DefaultsReplicasAndRequiresAlwaysRestart()
    {
        var replicaSet = Api.Valid("apps/v1", "ReplicaSet", Deployment);
        var (_, errors) = Api.Create("apps/v1", "ReplicaSet", Deployment.Replace("\"containers\"", "\"restartPolicy\":\"Never\",\"containers\""));

        Assert.Equal("1", Api.At(replicaSet, "spec.replicas"));
        Assert.Equal(["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""], Api.Lines(errors));
    }

    [Fact]
    public void ReplicationController_Create_DefaultsSelectorAndLabelsFromTheTemplate()
    {
        var controller = Api.Valid("v1", "ReplicationController", $$$"""{"metadata":{"name":"web"},"spec":{"template":{{{Template}}}}}""");

        Assert.Equal("""{"app":"web"}""", Api.At(controller, "spec.selector"));
        Assert.Equal("""{"app":"web"}""", Api.At(controller, "metadata.labels"));
        Assert.Equal("1", Api.At(controller, "spec.replicas"));
    }

    [Fact]
    public void StatefulSet_Create_FillsDefaults()
    {
        var statefulSet = Api.Valid("apps/v1", "StatefulSet", Deployment);

        Assert.Equal("\"OrderedReady\"", Api.At(statefulSet, "spec.podManagementPolicy"));
        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"partition":0}}""", Api.At(statefulSet, "spec.updateStrategy"));
        Assert.Equal("""{"whenDeleted":"Retain","whenScaled":"Retain"}""", Api.At(statefulSet, "spec.persistentVolumeClaimRetentionPolicy"));
        Assert.Equal("10", Api.At(statefulSet, "spec.revisionHistoryLimit"));
        Assert.Equal("1", Api.At(statefulSet, "spec.replicas"));
    }

    [Fact]
    public void StatefulSet_Update_ChangingServiceName_IsForbidden()
    {
        var statefulSet = Api.Valid("apps/v1", "StatefulSet", Deployment);

        var (_, errors) = Api.Update("apps/v1", "StatefulSet", statefulSet, s => s["spec"]!["serviceName"] = "other");
        var (_, scaleErrors) = Api.Update("apps/v1", "StatefulSet", statefulSet, s => s["spec"]!["replicas"] = 5);

        Assert.Equal(["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"],
            Api.Lines(errors));
        Assert.Empty(scaleErrors);
    }

    [Fact]
    public void DaemonSet_Create_FillsDefaults()
    {
        var daemonSet = Api.Valid("apps/v1", "DaemonSet", Deployment);

        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}}""", Api.At(daemonSet, "spec.updateStrategy"));
        Assert.Equal("10", Api.At(daemonSet, "spec.revisionHistoryLimit"));
    }

    [Fact]
    public void DaemonSet_Create_WithEmptySelector_IsInvalid()
    {
        var (_, errors) = Api.Create("apps/v1", "DaemonSet", Deployment.Replace("{\"matchLabels\":{\"app\":\"web\"}}", "{}"));

        Assert.Equal(["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset"],
            Api.Lines(errors));
    }

    [Fact]
    public void ControllerRevision_RequiresData()
    {
        var (_, errors) = Api.Create("apps/v1", "ControllerRevision", """{"metadata":{"name":"r"},"revision":1}""");

        Assert.Equal(["data: Required value: data is mandatory"], Api.Lines(errors));
    }

    [Fact]
    public void StatefulSet_Create_ChecksOnlyTheTemplateMetadataNotItsPodSpec()
    {
        var (_, errors) = Api.Create("apps/v1", "StatefulSet", Deployment.Replace("\"image\":\"nginx:1\"", "\"image\":\"\"").Replace("\"labels\":{\"app\":\"web\"}", "\"labels\":{\"app\":\"web\",\"-x\":\"y\"}"));

        var line = Assert.Single(Api.Lines(errors));
        Assert.StartsWith("spec.template.labels: Invalid value: \"-x\": name part must consist of", line);
    }

    [Fact]
    public void DaemonSet_Create_AllowsOnlyOneOfSurgeAndUnavailable()
    {
        var (_, both) = Api.Create("apps/v1", "DaemonSet",
            Deployment.Replace("\"selector\"", "\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1,\"maxUnavailable\":\"10%\"}},\"selector\""));
        var (_, none) = Api.Create("apps/v1", "DaemonSet",
            Deployment.Replace("\"selector\"", "\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":0}},\"selector\""));

        Assert.Equal(["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"], Api.Lines(both));
        Assert.Equal(["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"], Api.Lines(none));
    }

    [Fact]
    public void Deployment_Create_WithBadPercentages_IsInvalid()
    {
        var (_, errors) = Api.Create("apps/v1", "Deployment",
            Deployment.Replace("\"selector\"", "\"strategy\":{\"rollingUpdate\":{\"maxSurge\":\"lots\",\"maxUnavailable\":\"120%\"}},\"selector\""));

        Assert.Equal(
        [
            "spec.strategy.rollingUpdate.maxSurge: Invalid value: lots: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%",
        ], Api.Lines(errors));
    }

    [Fact]
    public void Deployment_Create_WithInvalidTemplateLabel_ReportsItAtTheTemplateLabelsPath()
    {
        var (_, errors) = Api.Create("apps/v1", "Deployment", Deployment.Replace("\"labels\":{\"app\":\"web\"}", "\"labels\":{\"app\":\"web\",\"x\":\"a b\"}"));

        Assert.StartsWith("spec.template.labels: Invalid value: \"a b\": a valid label must be", Assert.Single(Api.Lines(errors)));
    }
}
