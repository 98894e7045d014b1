using Gantry.ApiServer.Http;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Selectors;
using Gantry.ApiServer.Cache;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Handlers;

/// <summary>The query of a list or watch: selectors, paging, resourceVersion semantics.</summary>
public sealed class ListQuery
{
    private ListQuery(LabelSelector labels, FieldSelector fields)
    {
        Labels = labels;
        Fields = fields;
    }

    /// <summary>labelSelector.</summary>
    public LabelSelector Labels { get; }
    /// <summary>fieldSelector.</summary>
    public FieldSelector Fields { get; }
    /// <summary>limit (0 = none).</summary>
    public int Limit { get; private init; }
    /// <summary>The continue token's revision, or 0.</summary>
    public long ContinueRevision { get; private init; }
    /// <summary>The continue token's start key, or null.</summary>
    public string? ContinueKey { get; private init; }
    /// <summary>resourceVersion as sent ("" when absent).</summary>
    public string ResourceVersion { get; private init; } = "";
    /// <summary>allowWatchBookmarks.</summary>
    public bool AllowBookmarks { get; private init; }
    /// <summary>timeoutSeconds of a watch.</summary>
    public int? TimeoutSeconds { get; private init; }

    /// <summary>Parses and validates the query (400 on bad selectors or tokens).</summary>
    public static ListQuery Parse(HttpRequest request, ResourceDefinition def)
    {
        var q = request.Query;
        var catalog = FieldCatalog.For(def);
        var fields = FieldSelector.Parse(q["fieldSelector"]);
        foreach (var requirement in fields.Requirements)
        {
            if (!catalog.ContainsKey(requirement.Field))
                throw ApiException.BadRequest($"field label not supported: {requirement.Field}");
        }
        var limitText = (string?)q["limit"];
        var limit = 0;
        if (!string.IsNullOrEmpty(limitText) && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit)))
            throw ApiException.BadRequest($"invalid limit \"{limitText}\"");
        long continueRevision = 0;
        string? continueKey = null;
        if (q["continue"] is { Count: > 0 } cont && !string.IsNullOrEmpty(cont))
            (continueRevision, continueKey) = DecodeContinue(cont!);
        var timeout = (string?)q["timeoutSeconds"];
        if (!string.IsNullOrEmpty(timeout) && !int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw ApiException.BadRequest($"invalid timeoutSeconds \"{timeout}\"");
        var resourceVersion = (string?)q["resourceVersion"] ?? "";
        if (resourceVersion.Length > 0 && resourceVersion != "0") Objects.ObjectMeta.ParseResourceVersion(resourceVersion);
        var match = (string?)q["resourceVersionMatch"] ?? "";
        if (match is not ("" or "Exact" or "NotOlderThan"))
            throw ApiException.BadRequest($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\"");
        if (match.Length > 0 && resourceVersion.Length == 0)
            throw ApiException.BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        return new ListQuery(LabelSelector.Parse(q["labelSelector"]), fields)
        {
            Limit = limit,
            ContinueRevision = continueRevision,
            ContinueKey = continueKey,
            ResourceVersion = resourceVersion,
            AllowBookmarks = q["allowWatchBookmarks"] == "true",
            TimeoutSeconds = int.TryParse(timeout, out var t) ? t : null,
        };
    }

    /// <summary>Whether a cached object passes both selectors.</summary>
    public bool Matches(CachedObject obj) =>
        (Labels.IsEmpty || Labels.Matches(obj.Labels)) && (Fields.IsEmpty || Fields.Matches(f => obj.Fields.GetValueOrDefault(f)));

    /// <summary>Kubernetes' continue token: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key"}.</summary>
    public static string EncodeContinue(long revision, string startKey)
    {
        var json = ApiJson.Bytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = startKey });
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (long, string) DecodeContinue(string token)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var node = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(b64)));
            var rv = node?["rv"]?.GetValue<long>() ?? 0;
            var start = node?["start"]?.GetValue<string>();
            if (rv <= 0 || string.IsNullOrEmpty(start)) throw new FormatException();
            return (rv, start);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
