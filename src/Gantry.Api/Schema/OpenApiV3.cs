using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Registry;

namespace Gantry.Api.Schema;

/// <summary>
/// The OpenAPI v3 documents Kubernetes serves under <c>/openapi/v3</c>: one per served group-version, with every
/// URL's operations and the schemas of its kinds. kubectl reads them for <c>explain</c>, for client-side apply and to
/// learn that the server validates fields itself (<c>fieldValidation</c>). Built once, on first use.
/// </summary>
public static class OpenApiV3
{
    private static readonly Lazy<FrozenDictionary<string, (byte[] Bytes, string Hash)>> Documents = new(BuildAll);

    /// <summary>
    /// The discovery document of <c>/openapi/v3</c>: <c>{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"}}}</c>;
    /// the hash changes exactly when the document does, so clients may cache by URL.
    /// </summary>
    public static JsonObject Index()
    {
        var paths = new JsonObject();
        foreach (var (path, document) in Documents.Value.OrderBy(d => d.Key, StringComparer.Ordinal))
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={document.Hash}" };
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The JSON bytes of one group-version's document ("api/v1", "apis/apps/v1"), or null when not served.</summary>
    public static byte[]? Document(string groupVersionPath) =>
        Documents.Value.TryGetValue(groupVersionPath.Trim('/'), out var document) ? document.Bytes : null;

    /// <summary>The content hash of one document as the index advertises it, or null when not served.</summary>
    public static string? Hash(string groupVersionPath) =>
        Documents.Value.TryGetValue(groupVersionPath.Trim('/'), out var document) ? document.Hash : null;

    private static FrozenDictionary<string, (byte[], string)> BuildAll()
    {
        var result = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var (group, version) in ResourceRegistry.BuiltIn.GroupVersions)
        {
            var path = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
            var bytes = System.Text.Encoding.UTF8.GetBytes(Build(group, version).ToJsonString());
            result[path] = (bytes, Convert.ToHexString(SHA512.HashData(bytes)));
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static JsonObject Build(string group, string version)
    {
        var components = new OpenApiComponents();
        var paths = new OpenApiPaths(group, version, components);
        foreach (var resource in ResourceRegistry.BuiltIn.Resources.Where(r => r.Group == group && r.Version == version))
            paths.Add(resource);
        var builtPaths = paths.Build();
        var sortedPaths = new JsonObject();
        foreach (var (url, item) in builtPaths.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            builtPaths.Remove(url);
            sortedPaths[url] = item;
        }
        return new JsonObject
        {
            ["components"] = new JsonObject { ["schemas"] = components.Build() },
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["openapi"] = "3.0.0",
            ["paths"] = sortedPaths,
        };
    }
}
