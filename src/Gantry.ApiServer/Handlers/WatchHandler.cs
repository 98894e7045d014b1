using Gantry.ApiServer.Http;
using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Objects;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Handlers;

/// <summary>
/// Watch streams: newline-delimited JSON events served from the watch cache, with selector transitions (an object
/// leaving the selection is DELETED for that watcher), bookmarks, Table events for kubectl get -w and 410 Expired as
/// an ERROR event inside the 200 stream, as client-go reflectors expect.
/// </summary>
public sealed class WatchHandler(CacheSet caches, ServerOptions options, TimeProvider time)
{
    private const int WatcherCapacity = 10_000;
    private const int FlushBytes = 64 * 1024;

    /// <summary>Serves one watch until the client leaves, the timeout passes or the server stops.</summary>
    public async Task WatchAsync(HttpContext context, ResourceDefinition def, string? ns, string? name, CancellationToken serverStopping)
    {
        var query = ListQuery.Parse(context.Request, def);
        var cache = caches.For(def);
        var rv = query.ResourceVersion;
        var initial = rv.Length == 0 || rv == "0";
        var after = initial ? 0 : ObjectMeta.ParseResourceVersion(rv);
        var table = TableWriter.Wanted(context.Request.Headers.Accept);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json";
        response.Headers.CacheControl = "no-cache, private";
        var watcher = cache.Watch(def.Namespaced ? ns : null, after, initial, WatcherCapacity, IndexedValue(def, query));
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer, ApiJson.Writer);
        if (watcher is null)
        {
            var expired = ApiException.Expired($"too old resource version: {after} ({cache.Revision})");
            WriteEvent(response.BodyWriter, buffer, writer, w =>
            {
                w.WriteString("type", "ERROR");
                w.WritePropertyName("object");
                expired.ToStatus().WriteTo(w);
            });
            await response.BodyWriter.FlushAsync(context.RequestAborted);
            return;
        }
        using var _ = watcher;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        var timeout = query.TimeoutSeconds is > 0 ? TimeSpan.FromSeconds(query.TimeoutSeconds.Value) : TimeSpan.FromMinutes(30 + Random.Shared.Next(30));
        stop.CancelAfter(timeout);
        await response.StartAsync(stop.Token);
        // Send the headers now: a client waiting on a quiet resource must see the stream open.
        await response.Body.FlushAsync(stop.Token);
        var printer = ResourceRegistry.PrinterFor(def);
        var columnsSent = false;
        var lastRevision = after;
        var nextBookmark = time.GetUtcNow() + options.BookmarkInterval;
        // One timer source per watch, reset between waits: a fresh one per event costs more than the event itself.
        var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var body = response.BodyWriter;
        var pending = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var waitTime = nextBookmark - time.GetUtcNow();
                if (!wait.TryReset())
                {
                    wait.Dispose();
                    wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                }
                wait.CancelAfter(waitTime > TimeSpan.Zero ? waitTime : TimeSpan.Zero);
                bool ready;
                try { ready = await watcher.Events.WaitToReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested) { ready = true; }
                if (!ready) break;
                while (watcher.Events.TryRead(out var e))
                {
                    lastRevision = e.Revision;
                    var type = Transition(e, query, name);
                    if (type is null) continue;
                    var obj = e.Object;
                    if (!table && !VersionConversion.Needed(def))
                    {
                        var line = e.Line(ParseType(type));
                        body.Write(line);
                        pending += line.Length;
                    }
                    else pending += WriteEvent(body, buffer, writer, w =>
                    {
                        w.WriteString("type", type);
                        w.WritePropertyName("object");
                        if (table)
                        {
                            TableWriter.Write(w, printer, [obj], (string?)context.Request.Query["includeObject"] ?? "PartialObjectMetadata",
                                !columnsSent, obj.Revision, null, 0, time.GetUtcNow());
                            columnsSent = true;
                        }
                        else w.WriteRawValue(ReadHandlers.Converted(def, obj.Json), skipInputValidation: true);
                    });
                    // Events that arrive together go out together: one flush is one HTTP/2 DATA frame, one TLS record and
                    // one send for the whole batch, where a flush per event cost all three per event (and a read per
                    // event on the client). A large backlog still goes out in pieces.
                    if (pending >= FlushBytes)
                    {
                        await body.FlushAsync(context.RequestAborted);
                        pending = 0;
                    }
                }
                if (pending > 0)
                {
                    await body.FlushAsync(context.RequestAborted);
                    pending = 0;
                }
                // The cache's revision first, then the queue: every event up to that revision was offered before it was
                // read, so a caught-up watcher has written them all. Otherwise (events queued, or the watcher fell behind
                // and lost the rest) no bookmark: the client would resume past events it never received.
                var revision = query.AllowBookmarks && time.GetUtcNow() >= nextBookmark ? cache.Revision : -1;
                if (revision >= 0 && watcher.CaughtUp)
                {
                    var bookmarkRevision = Math.Max(lastRevision, revision);
                    WriteEvent(body, buffer, writer, w =>
                    {
                        w.WriteString("type", "BOOKMARK");
                        w.WriteStartObject("object");
                        w.WriteString("kind", def.Kind);
                        w.WriteString("apiVersion", def.ApiVersion);
                        w.WriteStartObject("metadata");
                        w.WriteString("resourceVersion", bookmarkRevision.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        w.WriteEndObject();
                        w.WriteEndObject();
                    });
                    await body.FlushAsync(context.RequestAborted);
                }
                if (time.GetUtcNow() >= nextBookmark) nextBookmark = time.GetUtcNow() + options.BookmarkInterval;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (InvalidOperationException)
        {
            // The watcher fell behind and was closed: ending the stream makes the client relist, as in Kubernetes.
        }
        finally
        {
            wait.Dispose();
        }
    }

    /// <summary>The event type this watcher sees, or null when the change is outside its selection.</summary>
    /// <summary>The value the field selector requires for the cache's indexed field (spec.nodeName=X), if it requires one.</summary>
    private static string? IndexedValue(ResourceDefinition def, ListQuery query)
    {
        var field = FieldCatalog.IndexedField(def);
        if (field is null) return null;
        foreach (var r in query.Fields.Requirements)
        {
            if (r.Field == field && r.Operator == FieldOperator.Equals) return r.Value;
        }
        return null;
    }

    private static string? Transition(CacheEvent e, ListQuery query, string? name)
    {
        if (name is not null && e.Object.Name != name) return null;
        var now = e.Type != CacheEventType.Deleted && query.Matches(e.Object);
        var before = e.Previous is not null && query.Matches(e.Previous);
        return e.Type switch
        {
            CacheEventType.Deleted => before || query.Matches(e.Object) ? "DELETED" : null,
            CacheEventType.Added => now ? "ADDED" : null,
            _ => (before, now) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
    }

    private static CacheEventType ParseType(string type) => type switch
    {
        "ADDED" => CacheEventType.Added,
        "MODIFIED" => CacheEventType.Modified,
        _ => CacheEventType.Deleted,
    };

    /// <summary>Writes one event line into the response without flushing it; returns its length.</summary>
    private static int WriteEvent(PipeWriter output, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, Action<Utf8JsonWriter> body)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
        writer.Flush();
        buffer.Write("\n"u8);
        output.Write(buffer.WrittenSpan);
        return buffer.WrittenCount;
    }
}
