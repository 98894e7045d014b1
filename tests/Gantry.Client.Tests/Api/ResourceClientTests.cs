using Gantry.Client.Tests.Harness;
using k8s.Models;

namespace Gantry.Client.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class ResourceClientTests(ServerFixture fixture)
{
    private readonly ApiClient _client = fixture.Client;

    [Fact]
    public async Task ConfigMap_CreateGetUpdateDelete_RoundTrips()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        var created = await maps.CreateAsync(Objects.ConfigMap(ns, "one"));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.Equal("ConfigMap", created.Kind);

        var read = await maps.GetAsync(ns, "one");
        Assert.Equal("v", read!.Data["k"]);

        read.Data["k"] = "changed";
        var updated = await maps.UpdateAsync(read);
        Assert.Equal("changed", updated.Data["k"]);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        Assert.True(await maps.DeleteAsync(ns, "one"));
        Assert.Null(await maps.GetAsync(ns, "one"));
        Assert.False(await maps.DeleteAsync(ns, "one"));
    }

    [Fact]
    public async Task Update_WithStaleResourceVersion_ThrowsConflict()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        var created = await maps.CreateAsync(Objects.ConfigMap(ns, "c"));
        var fresh = await maps.GetAsync(ns, "c");
        fresh!.Data["k"] = "first";
        await maps.UpdateAsync(fresh);

        created.Data["k"] = "stale";
        var ex = await Assert.ThrowsAsync<ConflictException>(() => maps.UpdateAsync(created));
        Assert.True(ex.IsConflict);
        Assert.Equal(409, (int)ex.StatusCode);
        Assert.Equal("Conflict", ex.Status?.Reason);
    }

    [Fact]
    public async Task Create_OfTakenName_ThrowsAlreadyExists()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "dup"));
        var ex = await Assert.ThrowsAsync<ApiClientException>(() => maps.CreateAsync(Objects.ConfigMap(ns, "dup")));
        Assert.True(ex.IsAlreadyExists);
        Assert.IsNotType<ConflictException>(ex);
    }

    [Fact]
    public async Task Create_Invalid_ThrowsInvalidWithStatus()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var ex = await Assert.ThrowsAsync<ApiClientException>(() => _client.For<V1ConfigMap>().CreateAsync(Objects.ConfigMap(ns, "Bad_Name")));
        Assert.True(ex.IsInvalid);
        Assert.Contains("Bad_Name", ex.Message);
    }

    [Fact]
    public async Task List_WithSelectorsAndPaging_ReturnsEveryMatchingItem()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pods = _client.For<V1Pod>();
        for (var i = 0; i < 7; i++)
            await pods.CreateAsync(Objects.Pod(ns, $"p{i}", new Dictionary<string, string> { ["app"] = i % 2 == 0 ? "even" : "odd" }, nodeName: i < 2 ? "n1" : null));

        var all = await pods.ListAsync(ns, new ListOptions { Limit = 2 });
        Assert.Equal(7, all.Items.Count);
        Assert.Null(all.Continue);
        Assert.False(string.IsNullOrEmpty(all.ResourceVersion));

        Assert.All(all.Items, p => Assert.Equal(("Pod", "v1"), (p.Kind, p.ApiVersion)));

        var firstPage = await pods.ListAsync(ns, new ListOptions { Limit = 2, ListAllPages = false });
        Assert.Equal(2, firstPage.Items.Count);
        Assert.NotNull(firstPage.Continue);

        var even = await pods.ListAsync(ns, new ListOptions { LabelSelector = "app=even" });
        Assert.Equal(4, even.Items.Count);
        var onNode = await pods.ListAsync(ns, new ListOptions { FieldSelector = "spec.nodeName=n1" });
        Assert.Equal(["p0", "p1"], onNode.Items.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task Deployment_StatusAndScale_Subresources()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var deployments = _client.For<V1Deployment>();
        var d = await deployments.CreateAsync(Objects.Deployment(ns, "web", replicas: 2));
        d.Status = new V1DeploymentStatus { Replicas = 2, ReadyReplicas = 1 };
        d.Spec.Replicas = 9;
        var withStatus = await deployments.UpdateStatusAsync(d);
        Assert.Equal(1, withStatus.Status.ReadyReplicas);
        Assert.Equal(2, withStatus.Spec.Replicas);

        var scale = await deployments.GetScaleAsync(ns, "web");
        Assert.Equal(2, scale.Spec.Replicas);
        scale.Spec.Replicas = 5;
        await deployments.UpdateScaleAsync(ns, "web", scale);
        Assert.Equal(5, (await deployments.GetAsync(ns, "web"))!.Spec.Replicas);
    }

    [Fact]
    public async Task Patch_InEveryFormat_ChangesTheObject()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "p"));

        await maps.PatchAsync(ns, "p", PatchType.Merge, new { data = new { merge = "1" } });
        await maps.PatchAsync(ns, "p", PatchType.StrategicMerge, """{"data":{"strategic":"2"}}""");
        await maps.PatchAsync(ns, "p", PatchType.Json, new[] { new { op = "add", path = "/data/json", value = "3" } });
        var applied = await maps.PatchAsync(ns, "p", PatchType.Apply,
            new { apiVersion = "v1", kind = "ConfigMap", metadata = new { name = "p", @namespace = ns }, data = new { applied = "4" } },
            new PatchOptions { FieldManager = "test", Force = true });

        Assert.Equal("1", applied.Data["merge"]);
        Assert.Equal("2", applied.Data["strategic"]);
        Assert.Equal("3", applied.Data["json"]);
        Assert.Equal("4", applied.Data["applied"]);
    }

    [Fact]
    public async Task Pod_BindAndEvict_UseTheirSubresources()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pods = _client.For<V1Pod>();
        await pods.CreateAsync(Objects.Pod(ns, "b"));
        await _client.BindAsync(ns, "b", "node-1");
        Assert.Equal("node-1", (await pods.GetAsync(ns, "b"))!.Spec.NodeName);

        await _client.EvictAsync(ns, "b", new DeleteOptions { GracePeriodSeconds = 0 });
        var after = await pods.GetAsync(ns, "b");
        Assert.True(after is null || after.Metadata.DeletionTimestamp is not null);
    }

    [Fact]
    public async Task Delete_WithPreconditionOfOtherUid_ThrowsConflict()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var maps = _client.For<V1ConfigMap>();
        await maps.CreateAsync(Objects.ConfigMap(ns, "d"));
        await Assert.ThrowsAsync<ConflictException>(() => maps.DeleteAsync(ns, "d", new DeleteOptions { PreconditionUid = "other" }));
        Assert.True(await maps.DeleteAsync(ns, "d", DeleteOptions.Background));
    }

    [Fact]
    public async Task DeleteCollection_WithLabelSelector_DeletesOnlyMatches()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pods = _client.For<V1Pod>();
        await pods.CreateAsync(Objects.Pod(ns, "a", new Dictionary<string, string> { ["x"] = "1" }));
        await pods.CreateAsync(Objects.Pod(ns, "b", new Dictionary<string, string> { ["x"] = "2" }));
        await pods.DeleteCollectionAsync(ns, new ListOptions { LabelSelector = "x=1" }, new DeleteOptions { GracePeriodSeconds = 0 });
        var left = await pods.ListAsync(ns);
        Assert.Equal(["b"], left.Items.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task ClusterScoped_Namespaces_IgnoreTheNamespaceArgument()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var read = await _client.For<V1Namespace>().GetAsync("ignored", ns);
        Assert.Equal(ns, read!.Metadata.Name);
    }
}
