using Gantry.Client.Informers;
using Gantry.Scheduler.Plugins;
using Gantry.Scheduler.Tests.Harness;
using k8s.Models;

namespace Gantry.Scheduler.Tests.Plugins;

public sealed class WorkloadSelectorsTests
{
    private static Dictionary<string, string> Labels(params string[] pairs) =>
        Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[2 * i + 1]);

    private static V1Pod Pod(string name, IDictionary<string, string> labels, V1OwnerReference? owner = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = labels, OwnerReferences = owner is null ? null : [owner] },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "busybox" }] },
    };

    [Fact]
    public async Task DefaultSelector_MergesSelectingServices_AndTheControllingReplicaSet()
    {
        await using var cluster = await TestCluster.StartAsync(withScheduler: false);
        var client = cluster.Client;
        await client.For<V1Service>().CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Selector = Labels("app", "web"), Ports = [new V1ServicePort { Port = 80 }] },
        });
        // Selects other pods only, and one without a selector (selects nothing): neither adds to the selector.
        await client.For<V1Service>().CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Selector = Labels("app", "db"), Ports = [new V1ServicePort { Port = 80 }] },
        });
        await client.For<V1Service>().CreateAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "manual", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        });
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = Labels("app", "web", "tier", "front") },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "busybox" }] },
        };
        var rs = await client.For<V1ReplicaSet>().CreateAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "default" },
            Spec = new V1ReplicaSetSpec { Replicas = 0, Selector = new V1LabelSelector { MatchLabels = Labels("tier", "front") }, Template = template },
        });
        await using var informers = new SharedInformerFactory(client);
        var selectors = new WorkloadSelectors(informers.For<V1Service>(), informers.For<V1ReplicationController>(),
            informers.For<V1ReplicaSet>(), informers.For<V1StatefulSet>());
        using var stop = new CancellationTokenSource();
        informers.Start(stop.Token);
        await informers.WaitForCacheSyncAsync(CancellationToken.None);

        var owned = Pod("p", Labels("app", "web", "tier", "front"),
            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-1", Uid = rs.Metadata.Uid, Controller = true });
        var selector = selectors.For(owned);

        Assert.True(selector.Matches(Labels("app", "web", "tier", "front")));
        Assert.False(selector.Matches(Labels("app", "web")));
        Assert.False(selector.Matches(Labels("tier", "front")));
        // Selected by the web Service only: its selector.
        var bare = selectors.For(Pod("q", Labels("app", "web")));
        Assert.True(bare.Matches(Labels("app", "web")));
        Assert.False(bare.IsEmpty);
        // Selected by nothing: empty, so no default constraint applies.
        Assert.True(selectors.For(Pod("r", Labels("app", "batch"))).IsEmpty);
        await stop.CancelAsync();
    }
}
