using System.Text.Json.Nodes;
using Gantry.Api.Protobuf;
using Xunit;
using static Gantry.Api.Tests.Protobuf.ProtoWriter;

namespace Gantry.Api.Tests.Protobuf;

/// <summary>
/// Bodies built field by field (numbers from the Kubernetes generated.proto files), covering what the kubectl
/// captures do not: every special apimachinery type, pointer versus value fields, inline structs, maps.
/// </summary>
public sealed class KubernetesProtobufTests
{
    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    private static ProtoWriter IntOrString(int value) => new ProtoWriter().Varint(1, 0).Varint(2, value).String(3, "");

    private static ProtoWriter IntOrString(string value) => new ProtoWriter().Varint(1, 1).Varint(2, 0).String(3, value);

    private static ProtoWriter Quantity(string value) => new ProtoWriter().String(1, value);

    [Fact]
    public void Decode_Deployment_KeepsPointerZerosAndDropsValueZeros()
    {
        var container = new ProtoWriter()
            .String(1, "web").String(2, "nginx")
            .Message(6, p => p.String(1, "").Varint(2, 0).Varint(3, 80).String(4, "TCP").String(5, ""))
            .Message(8, r => r.Entry(1, "cpu", _ => Quantity("500m")).Entry(2, "memory", _ => Quantity("64Mi")))
            .Message(10, probe => probe
                .Message(1, h => h.Message(2, get => get.String(1, "/healthz").Message(2, IntOrString("http")).String(3, "").String(4, "HTTP")))
                .Varint(2, 5).Varint(3, 1).Varint(4, 10).Varint(5, 1).Varint(6, 3))
            .Message(15, sc => sc.Bool(7, false))
            .Bool(16, false).Bool(17, false).Bool(18, false);
        var pod = new ProtoWriter()
            .Message(1, v => v.String(1, "scratch").Message(2, s => s.Message(2, new ProtoWriter())))
            .Message(1, v => v.String(1, "config").Message(2, s => s.Message(19, c => c.Message(1, r => r.String(1, "app-config")))))
            .Message(2, container)
            .String(3, "Always")
            .Varint(4, 0)
            .Bool(11, false)
            .Message(14, psc => psc.Varint(4, 1000).Varint(4, 2000).Bool(3, true))
            .Bool(21, false);
        var body = Body("apps/v1", "Deployment", d => d
            .Message(1, Metadata("web", "default").Entry(11, "app", "web").Entry(11, "tier", "").Entry(12, "note", "hi"))
            .Message(2, spec => spec
                .Varint(1, 2)
                .Message(2, s => s.Entry(1, "app", "web"))
                .Message(3, t => t.Message(1, Metadata("").Entry(11, "app", "web")).Message(2, pod))
                .Message(4, s => s.String(1, "RollingUpdate").Message(2, r => r.Message(1, IntOrString("25%")).Message(2, IntOrString(1))))
                .Varint(5, 0)
                .Varint(6, 10)
                .Bool(7, false))
            .Message(3, new ProtoWriter()));

        AssertJson("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"default","creationTimestamp":null,"labels":{"app":"web","tier":""},"annotations":{"note":"hi"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
                 "spec":{
                   "volumes":[{"name":"scratch","emptyDir":{}},{"name":"config","configMap":{"name":"app-config"}}],
                   "containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],
                     "resources":{"limits":{"cpu":"500m"},"requests":{"memory":"64Mi"}},
                     "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},
                       "initialDelaySeconds":5,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
                     "securityContext":{"allowPrivilegeEscalation":false}}],
                   "restartPolicy":"Always","terminationGracePeriodSeconds":0,
                   "securityContext":{"supplementalGroups":[1000,2000],"runAsNonRoot":true},
                   "automountServiceAccountToken":false}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":1}},
               "revisionHistoryLimit":10},
             "status":{}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Decode_PackedRepeatedIntegers_ReadsEveryElement()
    {
        // Field 4 (supplementalGroups), wire type 2, five bytes: the varints 1000 and 70000.
        var packedField = new ProtoWriter().Raw(0x22, 5, 0xe8, 0x07, 0xf0, 0xa2, 0x04);
        var body = Body("v1", "Pod", p => p.Message(2, s => s.Message(14, packedField)));

        var groups = KubernetesProtobuf.Decode(body)["spec"]!["securityContext"]!["supplementalGroups"];

        AssertJson("[1000,70000]", groups!);
    }

    [Fact]
    public void Decode_SecretBytes_AreBase64AndStringDataStaysText()
    {
        var body = Body("v1", "Secret", s => s
            .Message(1, Metadata("tls", "default"))
            .Message(2, e => e.String(1, "key").Bytes(2, [0x00, 0xff, 0x10]))
            .String(3, "Opaque")
            .Entry(4, "user", "admin")
            .Bool(5, true));

        AssertJson("""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"tls","namespace":"default","creationTimestamp":null},
             "data":{"key":"AP8Q"},"type":"Opaque","stringData":{"user":"admin"},"immutable":true}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Decode_MapEntryWithoutValue_IsTheZeroValue()
    {
        var body = Body("v1", "ResourceQuota", q => q
            .Message(1, Metadata("q"))
            .Message(2, s => s.Message(1, e => e.String(1, "pods")))
            .Message(3, s => s.Message(1, e => e.String(1, "cpu").Message(2, Quantity("1")))));

        var quota = KubernetesProtobuf.Decode(body);

        AssertJson("""{"pods":"0"}""", quota["spec"]!["hard"]!);
        AssertJson("""{"cpu":"1"}""", quota["status"]!["hard"]!);
    }

    [Fact]
    public void Decode_Eviction_KeepsZeroGracePeriodAndPropagationPolicy()
    {
        var body = Body("policy/v1", "Eviction", e => e
            .Message(1, Metadata("web-1", "default"))
            .Message(2, o => o.Varint(1, 0).Message(2, p => p.String(1, "uid-1")).String(4, "Foreground").String(5, "All")));

        AssertJson("""
            {"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-1","namespace":"default","creationTimestamp":null},
             "deleteOptions":{"gracePeriodSeconds":0,"preconditions":{"uid":"uid-1"},"propagationPolicy":"Foreground","dryRun":["All"]}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Theory]
    [InlineData("meta.k8s.io/v1")]
    [InlineData("v1")]
    [InlineData("apps/v1")]
    public void Decode_DeleteOptions_IsServedInEveryGroupVersion(string apiVersion)
    {
        var body = Body(apiVersion, "DeleteOptions", o => o.Varint(1, 5).Bool(3, false).String(4, "Background"));

        AssertJson($$"""
            {"apiVersion":"{{apiVersion}}","kind":"DeleteOptions","gracePeriodSeconds":5,"orphanDependents":false,"propagationPolicy":"Background"}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Decode_TokenRequest_ReadsAudiencesBoundObjectAndExpiration()
    {
        var body = Body("authentication.k8s.io/v1", "TokenRequest", t => t
            .Message(1, Metadata(""))
            .Message(2, s => s.String(1, "api").String(1, "vault")
                .Message(3, r => r.String(1, "Pod").String(2, "v1").String(3, "web-1").String(4, "pod-uid"))
                .Varint(4, 600))
            .Message(3, s => s.String(1, "").Message(2, new ProtoWriter())));

        AssertJson("""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{"creationTimestamp":null},
             "spec":{"audiences":["api","vault"],"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web-1","uid":"pod-uid"},"expirationSeconds":600},
             "status":{"expirationTimestamp":null}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Decode_SubjectAccessReviewExtra_IsAMapOfStringLists()
    {
        var body = Body("authorization.k8s.io/v1", "SubjectAccessReview", r => r
            .Message(2, s => s
                .Message(2, n => n.String(1, "/healthz").String(2, "get"))
                .String(3, "alice").String(4, "dev")
                .Entry(5, "scopes", v => v.String(1, "read").String(1, "write"))
                .Entry(5, "empty", v => v)));

        AssertJson("""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
             "spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"},"user":"alice","groups":["dev"],
                     "extra":{"scopes":["read","write"],"empty":[]}}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Decode_Time_IsRfc3339InWholeSeconds()
    {
        var body = Body("v1", "ConfigMap", c => c.Message(1, Metadata("c")
            .Message(9, t => t.Varint(1, 1704164645).Varint(2, 999_000_000))));

        var metadata = KubernetesProtobuf.Decode(body)["metadata"]!;

        Assert.Equal("2024-01-02T03:04:05Z", metadata["deletionTimestamp"]!.GetValue<string>());
        Assert.Null(metadata["creationTimestamp"]);
        Assert.True(metadata.AsObject().ContainsKey("creationTimestamp"));
    }

    [Fact]
    public void Decode_MicroTime_KeepsMicroseconds()
    {
        var body = Body("coordination.k8s.io/v1", "Lease", l => l
            .Message(1, Metadata("node-1", "kube-node-lease"))
            .Message(2, s => s.String(1, "node-1").Varint(2, 40)
                .Message(3, t => t.Varint(1, 1704164645).Varint(2, 123_456_789))
                .Message(4, new ProtoWriter())));

        var spec = KubernetesProtobuf.Decode(body)["spec"]!;

        AssertJson("""
            {"holderIdentity":"node-1","leaseDurationSeconds":40,"acquireTime":"2024-01-02T03:04:05.123456Z","renewTime":null}
            """, spec);
    }

    [Fact]
    public void Decode_ServiceTargetPort_IsIntOrString()
    {
        var body = Body("v1", "Service", s => s
            .Message(1, Metadata("web", "default"))
            .Message(2, spec => spec
                .Message(1, p => p.String(1, "http").String(2, "TCP").Varint(3, 80).Message(4, IntOrString("web")).Varint(5, 0))
                .Message(1, p => p.String(1, "metrics").String(2, "TCP").Varint(3, 9090).Message(4, IntOrString(9091)).Varint(5, 0))
                .String(4, "ClusterIP")));

        AssertJson("""
            {"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":"web"},
                      {"name":"metrics","protocol":"TCP","port":9090,"targetPort":9091}],"type":"ClusterIP"}
            """, KubernetesProtobuf.Decode(body)["spec"]!);
    }

    [Fact]
    public void Decode_RawExtension_EmbedsJsonAndNestedProtobuf()
    {
        var nested = Body("v1", "ConfigMap", c => c.Message(1, Metadata("inner")).Entry(2, "k", "v"));
        var body = Body("apps/v1", "ControllerRevision", r => r
            .Message(1, Metadata("rev-1", "default"))
            .Message(2, d => d.Bytes(1, """{"spec":{"replicas":1}}"""u8.ToArray()))
            .Varint(3, 2));
        var withNested = Body("apps/v1", "ControllerRevision", r => r.Message(2, d => d.Bytes(1, nested)));

        AssertJson("""{"spec":{"replicas":1}}""", KubernetesProtobuf.Decode(body)["data"]!);
        Assert.Equal(2, KubernetesProtobuf.Decode(body)["revision"]!.GetValue<long>());
        AssertJson("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inner","creationTimestamp":null},"data":{"k":"v"}}
            """, KubernetesProtobuf.Decode(withNested)["data"]!);
    }

    [Fact]
    public void Decode_UnknownFields_AreSkipped()
    {
        var body = Body("v1", "Namespace", n => n
            .Message(1, Metadata("demo"))
            .Varint(90, 7)
            .String(91, "ignored")
            .Raw(0xdd, 0x05, 1, 2, 3, 4)   // field 91, fixed32
            .Raw(0xe3, 0x05, 0x08, 0x01, 0xe4, 0x05)   // field 92 as a group holding a varint
            .Message(2, new ProtoWriter()));

        AssertJson("""
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","creationTimestamp":null},"spec":{}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Decode_EnvelopeWithRawBeforeTypeMeta_StillFindsTheKind()
    {
        var raw = new ProtoWriter().Message(1, Metadata("demo")).ToArray();
        byte[] body = [.. "k8s\0"u8, .. new ProtoWriter().Bytes(2, raw).Message(1, t => t.String(1, "v1").String(2, "Namespace")).ToArray()];

        AssertJson("""
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo","creationTimestamp":null}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void Decode_RepeatedSingularField_LastOccurrenceWins()
    {
        var body = Body("v1", "ServiceAccount", s => s.Message(1, Metadata("first").String(1, "second")));

        Assert.Equal("second", KubernetesProtobuf.Decode(body)["metadata"]!["name"]!.GetValue<string>());
    }
}
