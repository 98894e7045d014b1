using System.Text;
using System.Text.Json;
using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Handlers;
using Gantry.Storage.Memory;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.ApiServer.Tests.Unit;

public sealed class WatchBookmarkTests
{
    /// <summary>A response body whose writes wait until the test opens it: a client that stopped reading.</summary>
    private sealed class StalledBody : Stream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MemoryStream _written = new();

        public Task Blocked => _blocked.Task;

        public void Open() => _open.TrySetResult();

        public string Text => Encoding.UTF8.GetString(_written.ToArray());

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _blocked.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            _written.Write(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Watch_ThatFellBehind_SendsNoBookmarkPastTheEventsItLost()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var token = timeout.Token;
        await using var store = new MemoryStore(watchCapacity: 100_000);
        var registry = ResourceRegistry.BuiltIn;
        var configMaps = registry.Find("", "v1", "configmaps")!;
        await using var caches = new CacheSet(store, registry, 100 * 1024, NullLoggerFactory.Instance);
        await caches.StartAsync(token);
        var cache = caches.For(configMaps);
        // Bookmarks are due at every turn of the watch loop.
        var handler = new WatchHandler(caches, new ServerOptions { DataDir = "unused", BookmarkInterval = TimeSpan.FromMilliseconds(1) }, TimeProvider.System);
        var body = new StalledBody();
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString($"?watch=true&allowWatchBookmarks=true&timeoutSeconds=60&resourceVersion={cache.Revision}");
        context.Response.Body = body;
        var watch = handler.WatchAsync(context, configMaps, "default", null, token);
        await body.Blocked.WaitAsync(token);

        // More changes than a watcher's queue holds (10,000) while the client reads nothing: the watcher is closed.
        const int Writes = 10_100;
        for (var i = 0; i < Writes; i++)
            await store.CreateAsync($"/registry/configmaps/default/c{i:D5}", Encoding.UTF8.GetBytes($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c{{{i:D5}}}","namespace":"default"}}"""), token);
        await cache.WaitForRevisionAsync(store.CurrentRevision, token);
        body.Open();
        await watch.WaitAsync(token);

        // A reflector resumes from the last resourceVersion the stream gave it, event or bookmark: every change up to
        // it must have been delivered, or the changes in between are lost for good (no relist, nothing logged).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long resumeFrom = 0;
        foreach (var line in body.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var e = JsonDocument.Parse(line);
            var metadata = e.RootElement.GetProperty("object").GetProperty("metadata");
            resumeFrom = long.Parse(metadata.GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            if (e.RootElement.GetProperty("type").GetString() == "ADDED") seen.Add(metadata.GetProperty("name").GetString()!);
        }
        var created = (await store.ListAsync("/registry/configmaps/default/", Gantry.Storage.ListRequest.All, token)).Items;
        var missed = created.Where(v => v.ModRevision <= resumeFrom && !seen.Contains(v.Key[(v.Key.LastIndexOf('/') + 1)..])).ToList();
        Assert.True(seen.Count < Writes, "the watcher was expected to fall behind");
        Assert.Empty(missed.Select(v => v.Key).Take(5));
    }
}
