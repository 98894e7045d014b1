using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Bench.Memory;

namespace Gantry.Bench.Controllers;

/// <summary>Manifests and the few reads the controllers suite needs: object counts, the store's revision, server CPU time.</summary>
internal static class ControllerApi
{
    /// <summary>The realistic pod of the memory suite as a template: its labels (plus <paramref name="extraLabels"/>) and spec.</summary>
    public static JsonObject PodTemplate(IReadOnlyDictionary<string, string> extraLabels)
    {
        var pod = JsonNode.Parse(PodManifest.Json("unused", 0))!.AsObject();
        var labels = pod["metadata"]!["labels"]!.AsObject();
        labels.Remove("pod-template-hash");
        foreach (var (key, value) in extraLabels) labels[key] = value;
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone(), ["annotations"] = pod["metadata"]!["annotations"]!.DeepClone() },
            ["spec"] = pod["spec"]!.DeepClone(),
        };
    }

    /// <summary>A pod as the ReplicaSet controller sends it (generateName, the template's labels and spec), minus the owner reference.</summary>
    public static byte[] Pod(JsonObject template, string generateName)
    {
        var metadata = template["metadata"]!.DeepClone().AsObject();
        metadata["generateName"] = generateName;
        return Bytes(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = template["spec"]!.DeepClone() });
    }

    public static byte[] Workload(string kind, string name, int replicas, JsonObject template) => Bytes(new JsonObject
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = template["metadata"]!["labels"]!.DeepClone() },
            ["template"] = template.DeepClone(),
        },
    });

    /// <summary>How many objects a collection holds, from a one-item page: its items plus remainingItemCount.</summary>
    public static async Task<long> CountAsync(HttpClient client, string collection, CancellationToken cancellationToken = default)
    {
        using var list = await GetAsync(client, $"{collection}?limit=1", cancellationToken);
        var items = list.RootElement.GetProperty("items").GetArrayLength();
        var remaining = list.RootElement.GetProperty("metadata").TryGetProperty("remainingItemCount", out var r) ? r.GetInt64() : 0;
        return items + remaining;
    }

    /// <summary>
    /// The store's revision, from a consistent one-item list: it increases on every write to any resource, so two
    /// readings bracket how many writes happened in between.
    /// </summary>
    public static async Task<long> RevisionAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        using var list = await GetAsync(client, "/api/v1/namespaces?limit=1", cancellationToken);
        return long.Parse(list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!);
    }

    public static async Task<JsonDocument> GetAsync(HttpClient client, string path, CancellationToken cancellationToken = default)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
    }

    /// <summary>A JSON merge patch; throws on failure.</summary>
    public static async Task MergePatchAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await client.PatchAsync(path, content);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"PATCH {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }
    }

    /// <summary>The process's user + system CPU time (utime + stime of /proc/&lt;pid&gt;/stat).</summary>
    public static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
