using System.Net;
using System.Text;
using k8s.Models;

namespace Gantry.Client.Tests.Api;

/// <summary>List and bookmark bodies read by hand (no serializer metadata for the item type until an item arrives).</summary>
public sealed class ListReadingTests
{
    private sealed class CannedHandler(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    private static ApiClient Client(string body) => new(new CannedHandler(body), new Uri("https://127.0.0.1:6443"));

    [Fact]
    public async Task EmptyList_GivesNoItemsAndItsResourceVersion()
    {
        using var client = Client("""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}""");
        var list = await client.For<V1Pod>().ListAsync("default");
        Assert.Empty(list.Items);
        Assert.Equal("7", list.ResourceVersion);
        Assert.Null(list.Continue);
    }

    [Fact]
    public async Task List_ReadsItemsAndContinue_WhateverTheOrderAndExtraFields()
    {
        using var client = Client("""
            {"items":[{"metadata":{"name":"a","namespace":"ns"},"spec":{"containers":[{"name":"c","image":"busybox"}]}},{"metadata":{"name":"b"},"unknown":{"x":[1,2]}}],
             "kind":"PodList","extra":[{"a":null}],"metadata":{"resourceVersion":"9","continue":"token"},"apiVersion":"v1"}
            """);
        var list = await client.For<V1Pod>().ListAsync("ns");
        Assert.Equal(["a", "b"], list.Items.Select(p => p.Metadata.Name));
        Assert.Equal("busybox", list.Items[0].Spec.Containers[0].Image);
        Assert.Equal("Pod", list.Items[0].Kind);
        Assert.Equal("9", list.ResourceVersion);
        Assert.Equal("token", list.Continue);
    }

    [Fact]
    public async Task ListWithNullItems_IsEmpty()
    {
        using var client = Client("""{"metadata":{"resourceVersion":"3"},"items":null}""");
        Assert.Empty((await client.For<V1ConfigMap>().ListAsync(null)).Items);
    }

    [Fact]
    public async Task Bookmark_GivesItsResourceVersion_AndNoObject()
    {
        using var client = Client("""
            {"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","spec":{"containers":null},"metadata":{"annotations":{"k8s.io/initial-events-end":"true"},"resourceVersion":"42"}}}
            {"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","resourceVersion":"43"}}}

            """);
        var events = new List<WatchEvent<V1Pod>>();
        await foreach (var e in client.For<V1Pod>().WatchAsync("default")) events.Add(e);
        Assert.Equal(2, events.Count);
        Assert.Equal((WatchEventType.Bookmark, "42"), (events[0].Type, events[0].ResourceVersion));
        Assert.Null(events[0].Object);
        Assert.Equal((WatchEventType.Added, "43", "p"), (events[1].Type, events[1].ResourceVersion, events[1].Object?.Metadata.Name));
    }
}
