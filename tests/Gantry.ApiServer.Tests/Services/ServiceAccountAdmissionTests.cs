using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Services;

/// <summary>The ServiceAccount admission plugin of a real <c>gantry server</c>.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServiceAccountAdmissionTests(ServerFixture fixture) : IDisposable
{
    private readonly RawApi _api = new(fixture.Server);

    public void Dispose() => _api.Dispose();

    private Task<(int Code, JsonNode? Body)> CreatePodAsync(string ns, string name, string specExtra = "") =>
        _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + specExtra +
            "\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\"}],\"containers\":[{\"name\":\"a\",\"image\":\"busybox\"},{\"name\":\"b\",\"image\":\"busybox\"}]}}");

    [Fact]
    public async Task APod_GetsTheDefaultAccount_AndTheProjectedTokenVolumeInEveryContainer()
    {
        var ns = await _api.CreateNamespaceAsync("sa-admit");

        var (code, pod) = await CreatePodAsync(ns, "p");

        Assert.Equal(201, code);
        var spec = pod!["spec"]!;
        Assert.Equal("default", (string)spec["serviceAccountName"]!);
        Assert.Equal("default", (string)spec["serviceAccount"]!);
        var volume = spec["volumes"]!.AsArray().Single()!;
        var name = (string)volume["name"]!;
        Assert.Matches("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$", name);
        var expected = JsonNode.Parse("""
            {"sources":[
              {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
              {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
              {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],
             "defaultMode":420}
            """);
        Assert.True(JsonNode.DeepEquals(expected, volume["projected"]), volume["projected"]!.ToJsonString());
        var mount = JsonNode.Parse("{\"name\":\"" + name + "\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}");
        foreach (var container in spec["containers"]!.AsArray().Concat(spec["initContainers"]!.AsArray()))
            Assert.True(JsonNode.DeepEquals(mount, container!["volumeMounts"]![0]), container.ToJsonString());
    }

    [Fact]
    public async Task AutomountFalse_OnThePodOrItsAccount_AddsNoVolume()
    {
        var ns = await _api.CreateNamespaceAsync("sa-optout");
        var (_, pod) = await CreatePodAsync(ns, "p", "\"automountServiceAccountToken\":false,");
        Assert.Null(pod!["spec"]!["volumes"]);
        Assert.Null(pod["spec"]!["containers"]![0]!["volumeMounts"]);

        await _api.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts",
            """{"metadata":{"name":"quiet"},"automountServiceAccountToken":false,"imagePullSecrets":[{"name":"reg"}]}""");
        var (_, quiet) = await CreatePodAsync(ns, "q", "\"serviceAccountName\":\"quiet\",");
        Assert.Null(quiet!["spec"]!["volumes"]);
        Assert.Equal("reg", (string)quiet["spec"]!["imagePullSecrets"]![0]!["name"]!);
    }

    [Fact]
    public async Task APodNamingAMissingAccount_IsForbidden()
    {
        var ns = await _api.CreateNamespaceAsync("sa-missing");

        var (code, status) = await CreatePodAsync(ns, "p", "\"serviceAccountName\":\"robot\",");

        Assert.Equal(403, code);
        Assert.Equal($"pods \"p\" is forbidden: error looking up service account {ns}/robot: serviceaccount \"robot\" not found", (string?)status!["message"]);
    }

    [Fact]
    public async Task APodInAMissingNamespace_IsNotFound_BeforeItsAccountIsLookedUp()
    {
        var (code, status) = await CreatePodAsync("no-such-namespace", "p", "\"serviceAccountName\":\"robot\",");

        Assert.Equal(404, code);
        Assert.Equal("namespaces \"no-such-namespace\" not found", (string?)status!["message"]);
    }
}
