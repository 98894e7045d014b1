using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.ApiServer.Http;

namespace Gantry.ApiServer.Discovery;

/// <summary>
/// The discovery documents kubectl reads: the legacy lists (/api, /apis, /api/v1, /apis/g/v) and the aggregated
/// APIGroupDiscoveryList (apidiscovery.k8s.io v2 and v2beta1). Built once from the registry and kept as bytes.
/// </summary>
public sealed class DiscoveryDocuments
{
    /// <summary>Content type of aggregated discovery v2.</summary>
    public const string AggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    /// <summary>Content type of aggregated discovery v2beta1.</summary>
    public const string AggregatedV2Beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    private readonly Dictionary<string, byte[]> _resourceLists = [];

    /// <summary>Builds every document for a registry.</summary>
    public DiscoveryDocuments(ResourceRegistry registry)
    {
        var groups = registry.GroupVersions.Where(gv => gv.Group.Length > 0).GroupBy(gv => gv.Group).ToList();
        Api = ApiJson.Bytes(new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "" }),
        });
        var groupList = new JsonArray();
        foreach (var g in groups)
        {
            var versions = new JsonArray();
            foreach (var (group, version) in g) versions.Add((JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version });
            var first = g.First();
            groupList.Add((JsonNode)new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = versions,
                ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{first.Group}/{first.Version}", ["version"] = first.Version },
            });
        }
        Apis = ApiJson.Bytes(new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groupList });
        foreach (var (group, version) in registry.GroupVersions)
        {
            var resources = registry.Resources.Where(r => r.Group == group && r.Version == version).ToList();
            _resourceLists[group.Length == 0 ? version : $"{group}/{version}"] = ApiJson.Bytes(ResourceList(group, version, resources));
        }
        foreach (var v in new[] { "v2", "v2beta1" })
        {
            var core = AggregatedList(v, registry, [("", "v1")]);
            var named = AggregatedList(v, registry, registry.GroupVersions.Where(gv => gv.Group.Length > 0));
            if (v == "v2") { AggregatedApiV2 = core; AggregatedApisV2 = named; }
            else { AggregatedApiV2Beta1 = core; AggregatedApisV2Beta1 = named; }
        }
    }

    /// <summary>GET /api (APIVersions).</summary>
    public byte[] Api { get; }
    /// <summary>GET /apis (APIGroupList).</summary>
    public byte[] Apis { get; }
    /// <summary>GET /api, aggregated v2.</summary>
    public byte[] AggregatedApiV2 { get; private set; } = [];
    /// <summary>GET /apis, aggregated v2.</summary>
    public byte[] AggregatedApisV2 { get; private set; } = [];
    /// <summary>GET /api, aggregated v2beta1.</summary>
    public byte[] AggregatedApiV2Beta1 { get; private set; } = [];
    /// <summary>GET /apis, aggregated v2beta1.</summary>
    public byte[] AggregatedApisV2Beta1 { get; private set; } = [];

    /// <summary>The APIResourceList of "v1" or "apps/v1", or null when not served.</summary>
    public byte[]? ResourceList(string groupVersion) => _resourceLists.GetValueOrDefault(groupVersion);

    /// <summary>The APIGroup document of GET /apis/&lt;group&gt;, or null.</summary>
    public static JsonObject? Group(ResourceRegistry registry, string group)
    {
        var versions = registry.GroupVersions.Where(gv => gv.Group == group).ToList();
        if (versions.Count == 0) return null;
        var list = new JsonArray();
        foreach (var (g, v) in versions) list.Add((JsonNode)new JsonObject { ["groupVersion"] = $"{g}/{v}", ["version"] = v });
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = list,
            ["preferredVersion"] = list[0]!.DeepClone(),
        };
    }

    private static JsonObject ResourceList(string group, string version, List<ResourceDefinition> resources)
    {
        var items = new JsonArray();
        foreach (var r in resources)
        {
            var item = new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = Strings(r.Verbs),
            };
            if (r.ShortNames.Count > 0) item["shortNames"] = Strings(r.ShortNames);
            if (r.Categories.Count > 0) item["categories"] = Strings(r.Categories);
            if (!r.CreateOnly) item["storageVersionHash"] = StorageVersionHash(r);
            items.Add((JsonNode)item);
            foreach (var sub in r.Subresources)
            {
                var (g, v, kind, verbs) = SubresourceFacts.For(r, sub);
                var subItem = new JsonObject
                {
                    ["name"] = $"{r.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = r.Namespaced,
                };
                if (g != group || v != version) { subItem["group"] = g; subItem["version"] = v; }
                subItem["kind"] = kind;
                subItem["verbs"] = Strings(verbs);
                items.Add((JsonNode)subItem);
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = items,
        };
    }

    private static byte[] AggregatedList(string discoveryVersion, ResourceRegistry registry, IEnumerable<(string Group, string Version)> groupVersions)
    {
        var items = new JsonArray();
        foreach (var g in groupVersions.GroupBy(gv => gv.Group))
        {
            var versions = new JsonArray();
            foreach (var (group, version) in g)
            {
                var resources = new JsonArray();
                foreach (var r in registry.Resources.Where(r => r.Group == group && r.Version == version))
                {
                    var item = new JsonObject
                    {
                        ["resource"] = r.Plural,
                        ["responseKind"] = Gvk(r.Group, r.Version, r.Kind),
                        ["scope"] = r.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = r.Singular,
                        ["verbs"] = Strings(r.Verbs),
                    };
                    if (r.ShortNames.Count > 0) item["shortNames"] = Strings(r.ShortNames);
                    if (r.Categories.Count > 0) item["categories"] = Strings(r.Categories);
                    if (r.Subresources.Count > 0)
                    {
                        var subs = new JsonArray();
                        foreach (var sub in r.Subresources)
                        {
                            var (sg, sv, kind, verbs) = SubresourceFacts.For(r, sub);
                            subs.Add((JsonNode)new JsonObject { ["subresource"] = sub, ["responseKind"] = Gvk(sg, sv, kind), ["verbs"] = Strings(verbs) });
                        }
                        item["subresources"] = subs;
                    }
                    resources.Add((JsonNode)item);
                }
                versions.Add((JsonNode)new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }
            var metadata = new JsonObject { ["creationTimestamp"] = null };
            if (g.Key.Length > 0) metadata["name"] = g.Key;
            items.Add((JsonNode)new JsonObject { ["metadata"] = metadata, ["versions"] = versions });
        }
        return ApiJson.Bytes(new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = $"apidiscovery.k8s.io/{discoveryVersion}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        });
    }

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static string StorageVersionHash(ResourceDefinition r) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{r.Group}/{r.Version}/{r.Kind}")).AsSpan(0, 8));
}
