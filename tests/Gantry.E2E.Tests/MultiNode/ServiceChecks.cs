using System.Text.Json.Nodes;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>Checks on Services shared by the multi-node tests: requests from inside machines, EndpointSlice readiness.</summary>
internal static class ServiceChecks
{
    /// <summary>
    /// Waits until <paramref name="count"/> GETs in a row from inside a machine all succeed and are answered by exactly
    /// <paramref name="expected"/> (each at least once, nobody else). Readiness and endpoint changes reach the proxies
    /// through the EndpointSlice controller and each node's proxy (at most one sync a second, as kube-proxy's
    /// minSyncPeriod), asynchronously, as in Kubernetes: a sample taken right after a rollout or a failover may still miss
    /// a new endpoint or reach one that is gone.
    /// </summary>
    public static Task WaitForAnswersAsync(Machine from, string url, IReadOnlySet<string> expected, int count) =>
        WaitForAnswersAsync(from, url, count, answers => answers.ToHashSet().SetEquals(expected), $"answers from exactly {string.Join(", ", expected.Order())}");

    /// <summary>Waits until <paramref name="count"/> GETs in a row from inside a machine all succeed and their bodies satisfy <paramref name="holds"/>.</summary>
    public static async Task WaitForAnswersAsync(Machine from, string url, int count, Func<IReadOnlyList<string>, bool> holds, string what)
    {
        var last = "";
        try
        {
            await Gantry.Testing.Eventually.HoldsAsync(async () =>
            {
                var answers = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    var answer = await from.HttpGetAsync(url);
                    if (answer.ExitCode != 0)
                    {
                        last = $"request {i + 1} failed: {answer.Stderr}";
                        return false;
                    }
                    answers.Add(answer.Stdout.Trim());
                }
                last = $"answers {string.Join(", ", answers)}";
                return holds(answers);
            }, what, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} for GET {url} from {from}; last try: {last}", ex);
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
