using System.Text.Json.Nodes;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Harness;

/// <summary>Reads and waits on pods through kubectl, as a user would.</summary>
internal static class PodWaits
{
    public static async Task<JsonNode> PodAsync(this Kubectl kubectl, string ns, string name) =>
        JsonNode.Parse((await kubectl.RunAsync(["get", "pod", "-n", ns, name, "-o", "json"])).Ok())!;

    /// <summary>Polls the pod until <paramref name="condition"/> holds; the last pod JSON is in the failure message.</summary>
    public static async Task<JsonNode> WaitForPodAsync(this Kubectl kubectl, string ns, string name, Func<JsonNode, bool> condition, TimeSpan timeout)
    {
        JsonNode? last = null;
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await kubectl.RunAsync(["get", "pod", "-n", ns, name, "-o", "json"]);
            if (result.ExitCode == 0)
            {
                last = JsonNode.Parse(result.Stdout)!;
                if (condition(last)) return last;
            }
            Assert.True(DateTime.UtcNow < deadline, $"pod {ns}/{name} did not reach the expected state in {timeout.TotalSeconds:F0} s: {last?["status"]?.ToJsonString()}");
            await Task.Delay(500);
        }
    }

    public static JsonNode? ContainerStatus(this JsonNode pod, int index = 0) => pod["status"]?["containerStatuses"]?[index];
}
