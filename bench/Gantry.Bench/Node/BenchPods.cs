using System.Text;
using System.Text.Json.Nodes;
using Gantry.Bench.Server;
using Gantry.Testing.Images;

namespace Gantry.Bench.Node;

/// <summary>Creates, awaits and deletes the suite's pods: busybox (imported, imagePullPolicy Never) sleeping.</summary>
internal static class BenchPods
{
    public const string Namespace = "nodebench";

    public static byte[] Json(string name) => Encoding.UTF8.GetBytes($$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"{{{Namespace}}}","labels":{"app":"nodebench"}},
        "spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"main","image":"{{{BusyboxImage.DefaultName}}}","imagePullPolicy":"Never","command":["sleep","3600"]}]}}
        """);

    /// <summary>Creates the namespace and waits for its default service account, which pod admission needs.</summary>
    public static async Task PrepareNamespaceAsync(HttpClient client)
    {
        await ApiClient.CreateNamespaceAsync(client, Namespace);
        for (var attempt = 0; await ApiClient.GetAsync(client, $"/api/v1/namespaces/{Namespace}/serviceaccounts/default") is { } error; attempt++)
        {
            if (attempt == 300) throw new InvalidOperationException($"no default service account in {Namespace} after 30 s: {error}");
            await Task.Delay(100);
        }
    }

    public static async Task CreateAsync(HttpClient client, string name)
    {
        var error = await ApiClient.PostAsync(client, $"/api/v1/namespaces/{Namespace}/pods", Json(name));
        if (error is not null) throw new InvalidOperationException($"creating pod {name}: {error}");
    }

    /// <summary>Deletes every pod of the namespace and waits until none is left (the agent stopped their containers).</summary>
    public static async Task DeleteAllAsync(HttpClient client, TimeSpan timeout)
    {
        using var response = await client.DeleteAsync($"/api/v1/namespaces/{Namespace}/pods");
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"deleting pods: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var list = JsonNode.Parse(await client.GetStringAsync($"/api/v1/namespaces/{Namespace}/pods"))!;
            var left = list["items"]!.AsArray().Count;
            if (left == 0) return;
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"{left} pods still exist {timeout.TotalSeconds:F0} s after deleting them");
            await Task.Delay(250);
        }
    }

    /// <summary>Waits until node <paramref name="nodeName"/> exists and reports Ready.</summary>
    public static async Task WaitForNodeReadyAsync(HttpClient client, string nodeName, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await client.GetAsync($"/api/v1/nodes/{nodeName}");
            if (response.IsSuccessStatusCode)
            {
                var node = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                var ready = node["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == "Ready");
                if ((string?)ready?["status"] == "True") return;
            }
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"node {nodeName} not Ready within {timeout.TotalSeconds:F0} s");
            await Task.Delay(250);
        }
    }
}
