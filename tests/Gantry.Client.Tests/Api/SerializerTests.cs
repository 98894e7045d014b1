using System.Text.Json;
using k8s;
using k8s.Models;

namespace Gantry.Client.Tests.Api;

public sealed class SerializerTests
{
    private static readonly V1Pod Pod = new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            Name = "web-1",
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { ["app"] = "web" },
            CreationTimestamp = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web", Uid = "u1", Controller = true }],
        },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "web",
                    Image = "nginx",
                    Ports = [new V1ContainerPort { ContainerPort = 80 }],
                    Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m") } },
                    LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "http", Path = "/" } },
                },
            ],
            TerminationGracePeriodSeconds = 30,
        },
        Status = new V1PodStatus
        {
            Phase = "Running",
            StartTime = new DateTime(2024, 1, 2, 3, 4, 6, 123, DateTimeKind.Utc),
            Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }],
        },
    };

    private static JsonSerializerOptions PackageContextOptions()
    {
        JsonSerializerOptions? copy = null;
        KubernetesJson.AddJsonOptions(o => copy = new JsonSerializerOptions(o) { TypeInfoResolver = SourceGenerationContext.Default });
        return copy!;
    }

    [Fact]
    public void Serialize_AfterAClientIsBuilt_WritesWhatThePackagesGeneratedContextWrites()
    {
        using var client = new ApiClient(new HttpClientHandler(), new Uri("https://127.0.0.1:1"));
        var generated = PackageContextOptions();

        Assert.Equal(JsonSerializer.Serialize(Pod, generated), KubernetesJson.Serialize(Pod));
        // A kind Gantry's own context does not cover goes through reflection.
        var role = new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "view" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list"] }],
        };
        Assert.Equal(JsonSerializer.Serialize(role, generated), KubernetesJson.Serialize(role));
    }

    [Fact]
    public void Deserialize_AfterAClientIsBuilt_ReadsWhatThePackagesGeneratedContextReads()
    {
        using var client = new ApiClient(new HttpClientHandler(), new Uri("https://127.0.0.1:1"));
        var generated = PackageContextOptions();
        var json = JsonSerializer.Serialize(Pod, generated);

        var read = KubernetesJson.Deserialize<V1Pod>(json);

        Assert.Equal(json, JsonSerializer.Serialize(read, generated));
        Assert.Equal("500m", read.Spec.Containers[0].Resources.Limits["cpu"].ToString());
        Assert.Equal("http", read.Spec.Containers[0].LivenessProbe.HttpGet.Port.Value);
        Assert.Equal(json, JsonSerializer.Serialize(ObjectCopy.DeepCopy(read), generated));
    }

    [Fact]
    public void Deserialize_AfterAClientIsBuilt_ReadsAStatus()
    {
        using var client = new ApiClient(new HttpClientHandler(), new Uri("https://127.0.0.1:1"));

        var status = KubernetesJson.Deserialize<V1Status>(
            """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"m","reason":"Conflict","code":409,"details":{"name":"web-1","kind":"pods"}}""");

        Assert.Equal((409, "Conflict", "web-1"), (status.Code, status.Reason, status.Details.Name));
    }
}
