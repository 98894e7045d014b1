using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.ApiServer.Tests.Harness;
using Xunit.Abstractions;

namespace Gantry.ApiServer.Tests.Robustness;

/// <summary>A write the server acknowledged must survive the server being killed (SIGKILL) at any moment.</summary>
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private const int Creates = 1000;
    private const int KillAfterAcknowledged = 300;

    [Fact]
    public async Task AcknowledgedCreates_SurviveKill9_AndTheStoreStaysReadable()
    {
        await using var server = await GantryServer.StartAsync();
        var acknowledged = new ConcurrentDictionary<string, string>(); // name -> uid
        var failures = new ConcurrentBag<string>();
        var enoughAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using (var http = KubeHttp.Create(server, maxConnections: 64, timeout: TimeSpan.FromSeconds(30)))
        {
            async Task CreateAsync(int i)
            {
                var name = $"durable-{i:D4}";
                var body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"batch\":\"durability\"}},\"data\":{\"i\":\"" + i + "\"}}";
                try
                {
                    using var response = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(body, Encoding.UTF8, "application/json"));
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acknowledged[name] = (string)JsonNode.Parse(text)!["metadata"]!["uid"]!;
                        if (acknowledged.Count >= KillAfterAcknowledged) enoughAcknowledged.TrySetResult();
                    }
                    else failures.Add($"{name}: {(int)response.StatusCode} {text}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // The kill cuts in-flight requests; their outcome is unknown, so they are not checked.
                }
            }

            var all = Task.WhenAll(Enumerable.Range(0, Creates).Select(i => Task.Run(() => CreateAsync(i))));
            await Task.WhenAny(enoughAcknowledged.Task, all).WaitAsync(TimeSpan.FromSeconds(60));
            await server.KillAsync();
            await all.WaitAsync(TimeSpan.FromSeconds(60));
        }
        output.WriteLine($"acknowledged before the kill: {acknowledged.Count} of {Creates}");
        Assert.Empty(failures);
        Assert.True(acknowledged.Count >= KillAfterAcknowledged, $"only {acknowledged.Count} creates were acknowledged");

        await server.StartProcessAsync();
        using var client = KubeHttp.Create(server, maxConnections: 16);
        var lost = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (entry, ct) =>
        {
            using var response = await client.GetAsync($"/api/v1/namespaces/default/configmaps/{entry.Key}", ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK) lost.Add($"{entry.Key}: {(int)response.StatusCode} {text}");
            else if ((string?)JsonNode.Parse(text)!["metadata"]!["uid"] != entry.Value) lost.Add($"{entry.Key}: uid changed");
        });
        Assert.True(lost.IsEmpty, $"{lost.Count} acknowledged creates lost after kill -9:\n{string.Join("\n", lost.Take(20))}");

        // The whole store still lists and every object in it parses.
        using var list = await client.GetAsync("/api/v1/namespaces/default/configmaps?labelSelector=batch%3Ddurability");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var names = doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Superset(acknowledged.Keys.ToHashSet(), names.ToHashSet());
        Assert.True(names.Count <= Creates);

        // Paged lists walk the same set, and the restarted server takes new writes.
        var paged = new List<string>();
        string? next = null;
        do
        {
            var url = "/api/v1/namespaces/default/configmaps?labelSelector=batch%3Ddurability&limit=100" + (next is null ? "" : "&continue=" + Uri.EscapeDataString(next));
            using var page = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var node = JsonNode.Parse(await page.Content.ReadAsStringAsync())!;
            paged.AddRange(node["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
            next = (string?)node["metadata"]?["continue"];
        } while (!string.IsNullOrEmpty(next));
        Assert.Equal(names.Order(), paged.Order());

        using var after = await client.PostAsync("/api/v1/namespaces/default/configmaps",
            new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after-restart"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }
}
