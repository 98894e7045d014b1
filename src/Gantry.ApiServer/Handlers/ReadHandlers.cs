using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Objects;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Handlers;

/// <summary>GET of one object and LIST of collections, served from the store (get) and the watch cache (list).</summary>
public sealed class ReadHandlers(ResourceService service, CacheSet caches, TimeProvider time)
{
    /// <summary>GET one object (JSON or a one-row Table).</summary>
    public async Task GetAsync(HttpContext context, ResourceDefinition def, string? ns, string name)
    {
        if (context.Request.Query["resourceVersion"] is { Count: > 0 } rv && rv[0] is { Length: > 0 } text && text != "0")
            ObjectMeta.ParseResourceVersion(text);
        var value = await service.Store.GetAsync(def.KeyFor(ns, name), context.RequestAborted) ?? throw ResourceService.NotFound(def, name);
        if (TableWriter.Wanted(context.Request.Headers.Accept))
        {
            var cached = CachedObject.From(value, value.ModRevision, Api.Selectors.FieldCatalog.For(def));
            await WriteTableAsync(context, def, [cached], cached.Revision, null, 0);
            return;
        }
        if (VersionConversion.Needed(def))
            await ResponseWriter.WriteBytesAsync(context, 200, Converted(def, ResourceVersionStamp.Apply(value.Value.Span, value.ModRevision)));
        else
            await ResponseWriter.WriteStoredAsync(context, 200, value.Value, value.ModRevision);
    }

    /// <summary>LIST a collection with selectors and paging.</summary>
    public async Task ListAsync(HttpContext context, ResourceDefinition def, string? ns)
    {
        var query = ListQuery.Parse(context.Request, def);
        var cache = caches.For(def);
        var prefix = def.PrefixFor(ns);
        IReadOnlyList<CachedObject> items;
        long revision;
        if (query.ContinueKey is not null)
        {
            (items, revision) = await ListFromStoreAsync(def, query, prefix, context.RequestAborted);
        }
        else
        {
            // An unset resourceVersion asks for a consistent read: wait until the cache has every acknowledged write.
            if (query.ResourceVersion.Length == 0) await cache.WaitForRevisionAsync(service.Store.CurrentRevision, context.RequestAborted);
            else await cache.WaitForRevisionAsync(ObjectMeta.ParseResourceVersion(query.ResourceVersion), context.RequestAborted);
            (items, revision) = cache.Snapshot(prefix);
        }
        var selected = new List<CachedObject>();
        string? continueToken = null;
        long remaining = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (query.ContinueKey is not null && string.CompareOrdinal(item.Key, query.ContinueKey) < 0) continue;
            if (!query.Matches(item)) continue;
            if (query.Limit > 0 && selected.Count == query.Limit)
            {
                continueToken = ListQuery.EncodeContinue(revision, item.Key);
                if (query.Labels.IsEmpty && query.Fields.IsEmpty) remaining = items.Count - i;
                break;
            }
            selected.Add(item);
        }
        if (TableWriter.Wanted(context.Request.Headers.Accept))
        {
            await WriteTableAsync(context, def, selected, revision, continueToken, remaining);
            return;
        }
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, ApiJson.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", def.ListKind);
            writer.WriteString("apiVersion", def.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", revision.ToString(CultureInfo.InvariantCulture));
            if (continueToken is not null) writer.WriteString("continue", continueToken);
            if (remaining > 0) writer.WriteNumber("remainingItemCount", remaining);
            writer.WriteEndObject();
            writer.WritePropertyName("items");
        }
        // Items go straight from the cache's bytes into the response buffer (resourceVersion stamped on the way).
        buffer.Write("["u8);
        for (var i = 0; i < selected.Count; i++)
        {
            if (i > 0) buffer.Write(","u8);
            if (VersionConversion.Needed(def)) buffer.Write(Converted(def, selected[i].Json));
            else selected[i].WriteTo(buffer);
        }
        buffer.Write("]}"u8);
        context.Response.StatusCode = 200;
        context.Response.ContentType = ResponseWriter.Json;
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>Later pages of a paged list read the store at the first page's revision, so pages are consistent.</summary>
    private async Task<(IReadOnlyList<CachedObject>, long)> ListFromStoreAsync(ResourceDefinition def, ListQuery query, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            var catalog = Api.Selectors.FieldCatalog.For(def);
            var result = await service.Store.ListAsync(prefix, new Storage.ListRequest(0, query.ContinueKey, query.ContinueRevision), cancellationToken);
            return (new StoredPage(result.Items, catalog), query.ContinueRevision);
        }
        catch (Storage.StoreCompactedException)
        {
            throw ApiException.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
        }
    }

    private async Task WriteTableAsync(HttpContext context, ResourceDefinition def, IEnumerable<CachedObject> items, long revision, string? continueToken, long remaining)
    {
        var include = (string?)context.Request.Query["includeObject"] ?? "PartialObjectMetadata";
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer, ApiJson.Writer))
            TableWriter.Write(writer, ResourceRegistry.PrinterFor(def), items, include, true, revision, continueToken, remaining, time.GetUtcNow());
        context.Response.StatusCode = 200;
        context.Response.ContentType = ResponseWriter.Json;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>Objects whose storage is shared with another version are converted on the way out.</summary>
    internal static byte[] Converted(ResourceDefinition def, byte[] json) => VersionConversion.ToServed(def, json);
}
