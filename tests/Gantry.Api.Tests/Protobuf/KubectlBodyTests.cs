using System.Text.Json.Nodes;
using Gantry.Api.Protobuf;
using Xunit;

namespace Gantry.Api.Tests.Protobuf;

/// <summary>
/// Decodes what the real kubectl 1.32 sends and compares it with the JSON kubectl prints for the same command with
/// <c>--dry-run=client -o json</c> (Go's own JSON of the same object).
/// </summary>
public sealed class KubectlBodyTests
{
    // kubectl's JSON for the same commands. The one difference is deliberate: Go value fields are always on the
    // wire, so a zero int or bool without a pointer is dropped (the PodDisruptionBudget status counters here).
    private static readonly Dictionary<string, string> Expected = new()
    {
        [nameof(KubectlBodies.Namespace)] = """{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"demo","creationTimestamp":null},"spec":{},"status":{}}""",
        [nameof(KubectlBodies.ConfigMap)] = """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"app-config","namespace":"default","creationTimestamp":null},"data":{"empty":"","mode":"prod"}}""",
        [nameof(KubectlBodies.Secret)] = """{"kind":"Secret","apiVersion":"v1","metadata":{"name":"creds","namespace":"default","creationTimestamp":null},"data":{"password":"czNjcjN0IQ=="}}""",
        [nameof(KubectlBodies.Deployment)] = """{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"default","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":8080}],"resources":{}}]}},"strategy":{}},"status":{}}""",
        [nameof(KubectlBodies.DeploymentWithZeroReplicas)] = """{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"zero","namespace":"default","creationTimestamp":null,"labels":{"app":"zero"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"zero"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"zero"}},"spec":{"containers":[{"name":"busybox","image":"busybox","command":["sleep","3600"],"resources":{}}]}},"strategy":{}},"status":{}}""",
        [nameof(KubectlBodies.Job)] = """{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"once","namespace":"default","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"once","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}}""",
        [nameof(KubectlBodies.CronJob)] = """{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"nightly","namespace":"default","creationTimestamp":null},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"metadata":{"name":"nightly","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"nightly","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}}""",
        [nameof(KubectlBodies.Service)] = """{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","namespace":"default","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"web"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}""",
        [nameof(KubectlBodies.NodePortService)] = """{"kind":"Service","apiVersion":"v1","metadata":{"name":"np","namespace":"default","creationTimestamp":null,"labels":{"app":"np"}},"spec":{"ports":[{"name":"443-https","protocol":"TCP","port":443,"targetPort":"https","nodePort":30443}],"selector":{"app":"np"},"type":"NodePort"},"status":{"loadBalancer":{}}}""",
        [nameof(KubectlBodies.ServiceAccount)] = """{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"builder","namespace":"default","creationTimestamp":null}}""",
        [nameof(KubectlBodies.ResourceQuota)] = """{"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"compute","namespace":"default","creationTimestamp":null},"spec":{"hard":{"cpu":"2","memory":"1Gi","pods":"10"}},"status":{}}""",
        [nameof(KubectlBodies.Role)] = """{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"reader","namespace":"default","creationTimestamp":null},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","configmaps"]}]}""",
        [nameof(KubectlBodies.RoleBinding)] = """{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"reader-binding","namespace":"default","creationTimestamp":null},"subjects":[{"kind":"ServiceAccount","name":"builder","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"reader"}}""",
        [nameof(KubectlBodies.ClusterRole)] = """{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"nodes","creationTimestamp":null},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]}]}""",
        [nameof(KubectlBodies.ClusterRoleBinding)] = """{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"nodes-binding","creationTimestamp":null},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"nodes"}}""",
        [nameof(KubectlBodies.PriorityClass)] = """{"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"high","creationTimestamp":null},"value":1000,"description":"important","preemptionPolicy":"Never"}""",
        [nameof(KubectlBodies.PodDisruptionBudget)] = """{"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"web-pdb","namespace":"default","creationTimestamp":null},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{}}""",
        [nameof(KubectlBodies.ConfigMapFromBinaryFile)] = """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"blobs","namespace":"default","creationTimestamp":null},"binaryData":{"blob.bin":"AAEC/2JpbmFyeQ=="}}""",
        [nameof(KubectlBodies.Ingress)] = """{"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"web","namespace":"default","creationTimestamp":null},"spec":{"ingressClassName":"nginx","rules":[{"host":"example.com","http":{"paths":[{"path":"/api","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":8080}}}}]}}]},"status":{"loadBalancer":{}}}""",
        [nameof(KubectlBodies.PodDisruptionBudgetWithMaxUnavailable)] = """{"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"maxu","namespace":"default","creationTimestamp":null},"spec":{"selector":{"matchLabels":{"app":"web"}},"maxUnavailable":1},"status":{}}""",
        [nameof(KubectlBodies.ExternalNameService)] = """{"kind":"Service","apiVersion":"v1","metadata":{"name":"ext","namespace":"default","creationTimestamp":null,"labels":{"app":"ext"}},"spec":{"selector":{"app":"ext"},"type":"ExternalName","externalName":"db.example.com"},"status":{"loadBalancer":{}}}""",
        [nameof(KubectlBodies.DockerRegistrySecret)] = """{"kind":"Secret","apiVersion":"v1","metadata":{"name":"regcred","namespace":"default","creationTimestamp":null},"data":{".dockerconfigjson":"eyJhdXRocyI6eyJyLmV4YW1wbGUuY29tIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ=="},"type":"kubernetes.io/dockerconfigjson"}""",
        // kubectl create token builder --duration=1h (no client dry-run exists for it).
        [nameof(KubectlBodies.TokenRequest)] = """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{"creationTimestamp":null},"spec":{"expirationSeconds":3600},"status":{"expirationTimestamp":null}}""",
        // kubectl auth can-i create deployments -n default.
        [nameof(KubectlBodies.SelfSubjectAccessReview)] = """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"default","verb":"create","group":"apps","resource":"deployments"}},"status":{}}""",
        // kubectl drain's pod DELETE sends DeleteOptions with apiVersion "v1".
        [nameof(KubectlBodies.DeleteOptions)] = """{"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":30}""",
    };

    public static TheoryData<string> Bodies() => [.. Expected.Keys];

    private static byte[] Body(string name) => (byte[])typeof(KubectlBodies).GetProperty(name)!.GetValue(null)!;

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Decode_KubectlBody_MatchesKubectlJson(string name)
    {
        var decoded = KubernetesProtobuf.Decode(Body(name));

        var expected = JsonNode.Parse(Expected[name]);
        Assert.True(JsonNode.DeepEquals(expected, decoded), $"expected {expected!.ToJsonString()}\nactual   {decoded.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Decode_KubectlBody_StartsWithApiVersionAndKind(string name)
    {
        var names = KubernetesProtobuf.Decode(Body(name)).Select(p => p.Key).Take(2);

        Assert.Equal(["apiVersion", "kind"], names);
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Decode_EveryTruncationOfKubectlBody_FailsWithBadRequestOrDecodes(string name)
    {
        var body = Body(name);
        for (var length = 0; length < body.Length; length++)
            ProtobufAssert.DecodesOrIsBadRequest(body.AsSpan(0, length).ToArray());
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Decode_KubectlBodyWithRandomCorruption_FailsWithBadRequestOrDecodes(string name)
    {
        var random = new Random(name.Sum(c => c));
        for (var round = 0; round < 500; round++)
        {
            var body = Body(name);
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                body[random.Next(4, body.Length)] = (byte)random.Next(256);
            ProtobufAssert.DecodesOrIsBadRequest(body);
        }
    }
}
