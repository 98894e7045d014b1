using System.Text.Json.Nodes;

namespace Gantry.ApiServer.Tests.Harness;

/// <summary>
/// Plays the node agent's part until one exists: marks a namespace's pods Running and Ready through the status
/// subresource, as a kubelet would report them.
/// </summary>
public static class PodReadiness
{
    /// <summary>Keeps marking every pod of the namespace ready until cancelled.</summary>
    public static async Task KeepReadyAsync(RawApi api, string ns, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await MarkAllReadyAsync(api, ns);
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Marks the pods that are not Running and Ready yet.</summary>
    public static async Task MarkAllReadyAsync(RawApi api, string ns)
    {
        var (_, list) = await api.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods");
        foreach (var pod in list?["items"]?.AsArray() ?? [])
        {
            if (pod?["metadata"]?["deletionTimestamp"] is not null) continue;
            if ((string?)pod?["status"]?["phase"] == "Running") continue;
            var name = (string)pod!["metadata"]!["name"]!;
            var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
            var containers = new JsonArray(pod["spec"]!["containers"]!.AsArray().Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = (string?)c!["name"], ["image"] = (string?)c["image"], ["imageID"] = (string?)c["image"],
                ["ready"] = true, ["started"] = true, ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
            }).ToArray());
            var status = new JsonObject
            {
                ["status"] = new JsonObject
                {
                    ["phase"] = "Running",
                    ["startTime"] = now,
                    ["podIP"] = "10.42.0.10",
                    ["conditions"] = new JsonArray(
                        Condition("PodScheduled", now), Condition("Initialized", now), Condition("ContainersReady", now), Condition("Ready", now)),
                    ["containerStatuses"] = containers,
                },
            };
            await api.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/{name}/status", status.ToJsonString(), "application/merge-patch+json");
        }
    }

    private static JsonObject Condition(string type, string now) => new() { ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = now };
}
