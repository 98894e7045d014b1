using System.Text.Json.Nodes;
using Gantry.Client;
using Gantry.Controllers.History;
using Gantry.Controllers.Tests.Harness;
using Gantry.Controllers.Tests.History;
using k8s.Models;
using Xunit;
using static Gantry.Controllers.Tests.StatefulSet.StatefulSetTestKit;

namespace Gantry.Controllers.Tests.StatefulSet;

public sealed class StatefulSetHistoryTests
{
    private static async Task<List<V1ControllerRevision>> RevisionsAsync(TestCluster cluster) =>
        (await cluster.Client.For<V1ControllerRevision>().ListAsync(Ns)).Items.OrderBy(r => r.Revision).ToList();

    private static async Task UpdateImageAsync(TestCluster cluster, string image)
    {
        await ChangeSetAsync(cluster, set => set.Spec.Template.Spec.Containers[0].Image = image);
    }

    private static async Task WaitRolledOutAsync(TestCluster cluster, string image) =>
        await TestCluster.EventuallyAsync(async () =>
        {
            var set = await SetAsync(cluster);
            var pods = await PodsAsync(cluster);
            return set.Status is { ReadyReplicas: 2, UpdatedReplicas: 2 } s && s.CurrentRevision == s.UpdateRevision &&
                s.ObservedGeneration == set.Metadata.Generation && pods.All(p => p.Spec.Containers[0].Image == image);
        }, $"rollout to {image}");

    [Fact]
    public async Task EveryTemplate_IsRecordedAsANumberedRevision_WithItsTemplateAsAReplacePatch()
    {
        await using var cluster = await StartAsync();
        await using var ready = KeepReady(cluster);
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(2));
        await WaitRolledOutAsync(cluster, "nginx:1.25");
        await UpdateImageAsync(cluster, "nginx:1.26");
        await WaitRolledOutAsync(cluster, "nginx:1.26");

        var revisions = await RevisionsAsync(cluster);
        Assert.Equal([1L, 2L], revisions.Select(r => r.Revision ?? 0));
        var set = await SetAsync(cluster);
        Assert.Equal(set.Status.UpdateRevision, revisions[1].Metadata.Name);
        var hash = revisions[1].Metadata.Labels[ControllerRevisionData.HashLabel];
        Assert.Equal($"web-{hash}", revisions[1].Metadata.Name);
        Assert.Equal("web", revisions[1].Metadata.Labels["app"]);
        var owner = revisions[1].Metadata.OwnerReferences.Single();
        Assert.Equal(("StatefulSet", set.Metadata.Uid, true), (owner.Kind, owner.Uid, owner.Controller == true));
        var data = JsonNode.Parse(ControllerRevisionData.Canonical(revisions[1].Data)!)!;
        Assert.Equal("replace", (string?)data["spec"]!["template"]!["$patch"]);
        Assert.Equal("nginx:1.26", (string?)data["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("nginx:1.25", ControllerRevisionData.Template(revisions[0].Data)!.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task PatchingBackAnOldRevisionsData_ReusesThatRevisionWithTheNextNumber()
    {
        await using var cluster = await StartAsync();
        await using var ready = KeepReady(cluster);
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(2));
        await WaitRolledOutAsync(cluster, "nginx:1.25");
        await UpdateImageAsync(cluster, "nginx:1.26");
        await WaitRolledOutAsync(cluster, "nginx:1.26");
        var first = (await RevisionsAsync(cluster))[0];

        // What kubectl rollout undo sends: the revision's data as a strategic merge patch.
        await cluster.Client.For<V1StatefulSet>().PatchAsync(Ns, "web", PatchType.StrategicMerge, ControllerRevisionData.Canonical(first.Data)!);
        await WaitRolledOutAsync(cluster, "nginx:1.25");

        var revisions = await RevisionsAsync(cluster);
        Assert.Equal(2, revisions.Count);
        Assert.Equal((first.Metadata.Name, 3L), (revisions[^1].Metadata.Name, revisions[^1].Revision ?? 0));
        Assert.Equal(first.Metadata.Name, (await SetAsync(cluster)).Status.UpdateRevision);
    }

    [Fact]
    public async Task KubectlRolloutHistoryAndUndo_WorkOffTheRevisions()
    {
        if (!Kubectl.Available) return;
        await using var cluster = await StartAsync();
        await using var ready = KeepReady(cluster);
        await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(2));
        await WaitRolledOutAsync(cluster, "nginx:1.25");
        await UpdateImageAsync(cluster, "nginx:1.26");
        var status = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "status", "statefulset/web", "-n", Ns, "--timeout=20s");
        Assert.True(status.Code == 0, status.Err);
        Assert.Contains("partitioned roll out complete: 2 new pods have been updated", status.Out);
        await WaitRolledOutAsync(cluster, "nginx:1.26");

        var history = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "history", "statefulset/web", "-n", Ns);
        Assert.True(history.Code == 0, history.Err);
        Assert.Contains("REVISION", history.Out);
        Assert.Matches(@"(?m)^1\s+<none>", history.Out);
        Assert.Matches(@"(?m)^2\s+<none>", history.Out);
        var one = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "history", "statefulset/web", "-n", Ns, "--revision=1");
        Assert.True(one.Code == 0, one.Err);
        Assert.Contains("nginx:1.25", one.Out);

        var undo = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "undo", "statefulset/web", "-n", Ns, "--to-revision=1");
        Assert.True(undo.Code == 0, undo.Err);
        Assert.Contains("statefulset.apps/web rolled back", undo.Out);
        await WaitRolledOutAsync(cluster, "nginx:1.25");

        // kubectl compares the revision's bytes with the patch it builds from the live set: equal bytes mean a no-op.
        var again = await Kubectl.RunAsync(cluster.Kubeconfig, "rollout", "undo", "statefulset/web", "-n", Ns, "--to-revision=3");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("skipped rollback (current template already matches revision 3)", again.Out);
    }

    [Fact]
    public async Task AnOrphanRevisionTheSelectorMatches_IsAdoptedAndReused()
    {
        // The set is created before the controller runs, so the orphan can record its server-defaulted template.
        await using var cluster = await TestCluster.StartAsync();
        var web = await cluster.Client.For<V1StatefulSet>().CreateAsync(Web(1));
        var data = ControllerRevisionData.FromTemplate(web.Spec.Template);
        var hash = ControllerRevisionData.Hash(data, 0);
        await cluster.Client.For<V1ControllerRevision>().CreateAsync(new V1ControllerRevision
        {
            Metadata = new V1ObjectMeta { Name = $"web-{hash}", NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Data = ControllerRevisionData.ToData(data),
            Revision = 4,
        });
        cluster.StartControllers(new ControllerOptions { Workers = 2 }, c => new Gantry.Controllers.StatefulSet.StatefulSetController(c));

        await TestCluster.EventuallyAsync(async () => (await SetAsync(cluster)).Status?.UpdateRevision == $"web-{hash}", "the orphan revision in use");
        var revision = (await RevisionsAsync(cluster)).Single();
        Assert.Equal(("StatefulSet", "web"), (revision.Metadata.OwnerReferences.Single().Kind, revision.Metadata.OwnerReferences.Single().Name));
        Assert.Equal(4, revision.Revision);
    }
}
