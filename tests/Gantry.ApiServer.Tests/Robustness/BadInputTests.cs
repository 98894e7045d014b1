using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gantry.ApiServer.Tests.Harness;
using Xunit.Abstractions;

namespace Gantry.ApiServer.Tests.Robustness;

/// <summary>Malformed and hostile requests get a 4xx Status, never a 500 or a dropped connection, and cannot hurt the server.</summary>
public sealed class BadInputTests(ITestOutputHelper output)
{
    private const string Namespace = "hostile";
    private const long MaxResidentBytes = 500L * 1024 * 1024;

    [Fact]
    public async Task HostileRequests_AllGet4xxStatus_AndTheServerStaysHealthy()
    {
        await using var server = await GantryServer.StartAsync();
        using var http = KubeHttp.Create(server, maxConnections: 8);
        var generator = new HostileRequests(Namespace, seed: 20261125);
        await CreateTargetsAsync(http, generator);
        var before = await TargetVersionsAsync(http, generator);

        var requests = generator.All();
        Assert.True(requests.Count >= 1000, $"only {requests.Count} hostile requests generated");
        var violations = new ConcurrentBag<(HostileRequest Request, string Problem)>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, ct) =>
        {
            var problem = await SendAsync(http, request, ct);
            if (problem is not null) violations.Add((request, problem));
        });
        output.WriteLine($"{requests.Count} hostile requests in {clock.Elapsed.TotalSeconds:F1} s, {violations.Count} violations");

        using var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var rss = server.ResidentBytes();
        output.WriteLine($"server RSS after the run: {rss / (1024 * 1024)} MiB");

        if (!violations.IsEmpty)
        {
            var report = new StringBuilder($"{violations.Count} of {requests.Count} hostile requests were mishandled:\n");
            foreach (var group in violations.GroupBy(v => v.Request.Category).OrderByDescending(g => g.Count()))
            {
                report.AppendLine($"== {group.Key}: {group.Count()}");
                foreach (var (request, problem) in group.Take(4)) report.AppendLine($"   {request}\n     -> {problem}");
            }
            foreach (var (request, problem) in violations.OrderBy(v => v.Request.Category, StringComparer.Ordinal)) output.WriteLine($"{request}\n  -> {problem}");
            Assert.Fail(report.ToString());
        }
        Assert.True(rss < MaxResidentBytes, $"server RSS {rss / (1024 * 1024)} MiB after hostile requests");
        // No hostile request may have changed the existing objects.
        Assert.Equal(before, await TargetVersionsAsync(http, generator));
    }

    private static async Task CreateTargetsAsync(HttpClient http, HostileRequests generator)
    {
        using var ns = await http.PostAsync("/api/v1/namespaces", Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"hostile"}}"""));
        Assert.Equal(HttpStatusCode.Created, ns.StatusCode);
        foreach (var r in generator.Resources)
        {
            using var created = await http.PostAsync(r.Collection, Json(r.Template(HostileRequests.TargetName).ToJsonString()));
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"creating {r.Item}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<List<string>> TargetVersionsAsync(HttpClient http, HostileRequests generator)
    {
        var versions = new List<string>();
        foreach (var r in generator.Resources)
        {
            using var response = await http.GetAsync(r.Item);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {r.Item}: {(int)response.StatusCode} {text}");
            using var doc = JsonDocument.Parse(text);
            // What a client wrote (labels, spec, data) must be untouched; status and resourceVersion may move, as
            // controllers keep writing status (the deployment controller does for the target deployment).
            var root = doc.RootElement;
            string Part(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetRawText() : "-";
            versions.Add($"{r.Plural}@{Part(root.GetProperty("metadata"), "labels")}{Part(root, "spec")}{Part(root, "data")}");
        }
        return versions;
    }

    private static async Task<string> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int limit = 64 * 1024;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var total = 0;
        int read;
        while (total < limit && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0) total += read;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Sends one request; returns what is wrong with the answer, or null when it is a proper 4xx Status.</summary>
    private static async Task<string?> SendAsync(HttpClient http, HostileRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        HttpResponseMessage response;
        string text;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            // A request wrongly taken as a watch would stream forever: read a bounded prefix only.
            using var read = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            read.CancelAfter(TimeSpan.FromSeconds(10));
            text = await ReadPrefixAsync(response, read.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return $"no answer: {ex.GetType().Name}: {ex.Message} {ex.InnerException?.Message}";
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var preview = text.Length > 300 ? text[..300] + "..." : text;
            if (status is < 400 or > 499) return $"{status} {preview}";
            if (request.Expected.Length > 0 && !request.Expected.Contains(status)) return $"{status}, expected {string.Join(" or ", request.Expected)}: {preview}";
            if (response.Content.Headers.ContentType?.MediaType != "application/json") return $"{status} with Content-Type {response.Content.Headers.ContentType}: {preview}";
            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.GetString() != "Status")
                    return $"{status} without a Status body: {preview}";
                if (!root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || code.GetInt32() != status)
                    return $"{status} with a Status whose code differs: {preview}";
            }
            catch (JsonException)
            {
                return $"{status} with a body that is not JSON: {preview}";
            }
            return null;
        }
    }
}
