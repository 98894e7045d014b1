using System.Text.Json.Nodes;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>Checks on Services shared by the multi-node tests: requests from inside machines, EndpointSlice readiness.</summary>
internal static class ServiceChecks
{
    /// <summary>The bodies of <paramref name="count"/> GETs from inside a machine; a failed request fails the test.</summary>
    public static async Task<List<string>> AnswersAsync(Machine from, string url, int count)
    {
        var answers = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var answer = await from.HttpGetAsync(url);
            Assert.True(answer.ExitCode == 0, $"GET {url} from {from} (request {i + 1}): {answer.Stderr}");
            answers.Add(answer.Stdout.Trim());
        }
        return answers;
    }

    /// <summary>
    /// Waits until <paramref name="count"/> GETs from inside a machine are answered by exactly <paramref name="expected"/>
    /// (each at least once, nobody else): readiness reaches the proxies through the EndpointSlice controller and each
    /// node's proxy, asynchronously, as in Kubernetes, so a sample taken right after the pods turned ready may still miss
    /// a new endpoint or reach one that just left.
    /// </summary>
    public static async Task WaitForAnswersAsync(Machine from, string url, IReadOnlySet<string> expected, int count)
    {
        List<string> answers = [];
        try
        {
            await Gantry.Testing.Eventually.HoldsAsync(async () => (answers = await AnswersAsync(from, url, count)).ToHashSet().SetEquals(expected),
                $"answers from exactly {string.Join(", ", expected.Order())}", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} for GET {url} from {from}; the last {count} answers: {string.Join(", ", answers)}", ex);
        }
    }

    /// <summary>The ready endpoint addresses of a Service's EndpointSlices.</summary>
    public static async Task<HashSet<string>> ReadyEndpointsAsync(this Kubectl k, string ns, string service)
    {
        var slices = JsonNode.Parse((await k.RunAsync(["get", "endpointslices", "-n", ns, "-l", $"kubernetes.io/service-name={service}", "-o", "json"])).Ok())!;
        return slices["items"]!.AsArray()
            .SelectMany(s => s!["endpoints"]?.AsArray() ?? [])
            .Where(e => (bool?)e!["conditions"]?["ready"] == true)
            .SelectMany(e => e!["addresses"]!.AsArray().Select(a => (string)a!))
            .ToHashSet();
    }

    /// <summary>Waits until the Service has <paramref name="count"/> ready endpoints.</summary>
    public static async Task WaitForEndpointsAsync(this Kubectl k, string ns, string service, int count) =>
        await Gantry.Testing.Eventually.HoldsAsync(async () => (await k.ReadyEndpointsAsync(ns, service)).Count == count,
            $"{count} ready endpoints of {ns}/{service}", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
}
