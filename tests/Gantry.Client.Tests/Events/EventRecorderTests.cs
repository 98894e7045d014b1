using Gantry.Client.Events;
using Gantry.Client.Tests.Harness;
using k8s.Models;

namespace Gantry.Client.Tests.Events;

[Collection(ServerCollection.Name)]
public sealed class EventRecorderTests(ServerFixture fixture)
{
    private readonly ApiClient _client = fixture.Client;

    [Fact]
    public async Task RepeatedEvent_WithinTenMinutes_IsCountedOnOneEvent()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pod = await _client.For<V1Pod>().CreateAsync(Objects.Pod(ns, "web"));
        var time = new ManualTimeProvider();
        await using var recorder = new EventRecorder(_client, "test-controller", "host-1", time);

        var first = await recorder.RecordAsync(pod, EventTypes.Warning, "BackOff", "restarting failed container");
        time.Advance(TimeSpan.FromMinutes(5));
        var second = await recorder.RecordAsync(pod, EventTypes.Warning, "BackOff", "restarting failed container");

        Assert.Equal(first.Metadata.Name, second.Metadata.Name);
        Assert.StartsWith("web.", first.Metadata.Name);
        var events = (await _client.For<Corev1Event>().ListAsync(ns)).Items;
        var stored = Assert.Single(events);
        Assert.Equal(2, stored.Count);
        Assert.Equal(time.GetUtcNow().UtcDateTime, stored.LastTimestamp);
        Assert.Equal(first.FirstTimestamp, stored.FirstTimestamp);
        Assert.Equal("Pod", stored.InvolvedObject.Kind);
        Assert.Equal("v1", stored.InvolvedObject.ApiVersion);
        Assert.Equal(pod.Metadata.Uid, stored.InvolvedObject.Uid);
        Assert.Equal("test-controller", stored.Source.Component);
        Assert.Equal("host-1", stored.Source.Host);
        Assert.Equal("test-controller", stored.ReportingComponent);
        Assert.Equal("Warning", stored.Type);
    }

    [Fact]
    public async Task DifferentMessageOrLateRepeat_CreatesANewEvent()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var pod = await _client.For<V1Pod>().CreateAsync(Objects.Pod(ns, "p"));
        var time = new ManualTimeProvider();
        await using var recorder = new EventRecorder(_client, "test", time: time);

        await recorder.RecordAsync(pod, EventTypes.Normal, "Scheduled", "assigned to n1");
        await recorder.RecordAsync(pod, EventTypes.Normal, "Scheduled", "assigned to n2");
        time.Advance(TimeSpan.FromMinutes(11));
        await recorder.RecordAsync(pod, EventTypes.Normal, "Scheduled", "assigned to n1");

        var events = (await _client.For<Corev1Event>().ListAsync(ns)).Items;
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(1, e.Count));
    }

    [Fact]
    public async Task EventAboutClusterScopedObject_GoesToDefaultNamespace()
    {
        var node = await _client.For<V1Node>().CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = $"node-{Guid.NewGuid():N}"[..14] } });
        await using var recorder = new EventRecorder(_client, "node-controller");
        var e = await recorder.RecordAsync(node, EventTypes.Normal, "RegisteredNode", "registered");
        Assert.Equal("default", e.Metadata.NamespaceProperty);
        Assert.Equal("Node", e.InvolvedObject.Kind);
    }

    [Fact]
    public async Task Record_WritesInTheBackground_AndDisposeFlushes()
    {
        var ns = await fixture.Server.NamespaceAsync(_client);
        var deployment = await _client.For<V1Deployment>().CreateAsync(Objects.Deployment(ns, "d"));
        var recorder = new EventRecorder(_client, "deployment-controller");
        for (var i = 0; i < 3; i++) recorder.Normal(deployment, "ScalingReplicaSet", "Scaled up replica set d-1 to 1");
        recorder.Warning(deployment, "Failed", "something broke");
        await recorder.DisposeAsync();

        var events = (await _client.For<Corev1Event>().ListAsync(ns)).Items;
        Assert.Equal(2, events.Count);
        Assert.Equal(3, events.Single(e => e.Reason == "ScalingReplicaSet").Count);
        Assert.Equal("apps/v1", events[0].InvolvedObject.ApiVersion);
    }
}
