using System.Text.Json.Nodes;

namespace Gantry.Node.Network;

/// <summary>
/// What an ADD produced, kept on disk as libcni does (a "cniCacheV1" entry per network, container and interface, one directory per network): DEL
/// must send the same configuration, capability arguments and the ADD's result as prevResult, even after an agent
/// restart or a configuration change.
/// </summary>
internal sealed class CniResultCache(string directory)
{
    /// <summary>One cached ADD.</summary>
    public sealed record Entry(JsonObject Config, IReadOnlyList<PortMapping> PortMappings, JsonObject? Result);

    /// <summary>Stores the ADD of <paramref name="containerId"/> on <paramref name="networkName"/> atomically.</summary>
    public async Task SaveAsync(string networkName, string containerId, string interfaceName, Entry entry, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(directory, networkName));
        var json = new JsonObject
        {
            ["kind"] = "cniCacheV1",
            ["containerId"] = containerId,
            ["ifName"] = interfaceName,
            ["networkName"] = networkName,
            ["config"] = entry.Config.DeepClone(),
            ["capabilityArgs"] = new JsonObject { ["portMappings"] = CniNetworkConfig.PortMappingsJson(entry.PortMappings) },
            ["result"] = entry.Result?.DeepClone(),
        };
        var path = PathOf(networkName, containerId, interfaceName);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, json.ToJsonString(), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The cached ADD, or null when there is none (never set up, or already torn down).</summary>
    public async Task<Entry?> LoadAsync(string networkName, string containerId, string interfaceName, CancellationToken cancellationToken)
    {
        var path = PathOf(networkName, containerId, interfaceName);
        if (!File.Exists(path)) return null;
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)) as JsonObject;
        if (json?["config"] is not JsonObject config) return null;
        var mappings = ((JsonArray?)json["capabilityArgs"]?["portMappings"] ?? []).OfType<JsonObject>()
            .Select(m => new PortMapping((int)m["hostPort"]!, (int)m["containerPort"]!, ((string?)m["protocol"] ?? "tcp").ToUpperInvariant(),
                (string?)m["hostIP"] ?? ""))
            .ToList();
        return new Entry(config, mappings, json["result"] as JsonObject);
    }

    /// <summary>Forgets the ADD (after a successful DEL).</summary>
    public void Delete(string networkName, string containerId, string interfaceName) => File.Delete(PathOf(networkName, containerId, interfaceName));

    /// <summary>Forgets every ADD on <paramref name="networkName"/>.</summary>
    public void DeleteNetwork(string networkName)
    {
        var networkDir = Path.Combine(directory, networkName);
        if (Directory.Exists(networkDir)) Directory.Delete(networkDir, recursive: true);
    }

    private string PathOf(string networkName, string containerId, string interfaceName) =>
        Path.Combine(directory, networkName, $"{containerId}-{interfaceName}");
}
