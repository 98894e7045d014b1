using System.Globalization;
using System.Text.Json;
using Gantry.Bench.Controllers;

namespace Gantry.Bench.Scheduler;

/// <summary>After a run: every node's bound pods fit its allocatable cpu, memory and pod count.</summary>
internal static class CapacityCheck
{
    /// <summary>Null when every node's capacity was respected, else the first violation.</summary>
    public static async Task<string?> FindViolationAsync(HttpClient client)
    {
        var allocatable = new Dictionary<string, (long Cpu, long Memory, long Pods)>(StringComparer.Ordinal);
        await foreach (var node in ListAsync(client, "/api/v1/nodes"))
        {
            var a = node.GetProperty("status").GetProperty("allocatable");
            allocatable[node.GetProperty("metadata").GetProperty("name").GetString()!] =
                (MilliCpu(a.GetProperty("cpu").GetString()!), Bytes(a.GetProperty("memory").GetString()!), long.Parse(a.GetProperty("pods").GetString()!, CultureInfo.InvariantCulture));
        }
        var used = new Dictionary<string, (long Cpu, long Memory, long Pods)>(StringComparer.Ordinal);
        await foreach (var pod in ListAsync(client, "/api/v1/pods"))
        {
            var spec = pod.GetProperty("spec");
            if (!spec.TryGetProperty("nodeName", out var nodeName)) continue;
            var (cpu, memory) = Requests(spec);
            var u = used.GetValueOrDefault(nodeName.GetString()!);
            used[nodeName.GetString()!] = (u.Cpu + cpu, u.Memory + memory, u.Pods + 1);
        }
        foreach (var (node, u) in used)
        {
            if (!allocatable.TryGetValue(node, out var a)) return $"pods bound to unknown node {node}";
            if (u.Cpu > a.Cpu || u.Memory > a.Memory || u.Pods > a.Pods)
                return $"node {node} over capacity: {u.Cpu}m cpu / {u.Memory} bytes / {u.Pods} pods requested, {a.Cpu}m / {a.Memory} / {a.Pods} allocatable";
        }
        return null;
    }

    /// <summary>The sum of a pod spec's container cpu (millicores) and memory (bytes) requests.</summary>
    public static (long Cpu, long Memory) Requests(JsonElement spec)
    {
        long cpu = 0, memory = 0;
        foreach (var container in spec.GetProperty("containers").EnumerateArray())
        {
            if (!container.TryGetProperty("resources", out var resources) || !resources.TryGetProperty("requests", out var requests)) continue;
            if (requests.TryGetProperty("cpu", out var c)) cpu += MilliCpu(c.GetString()!);
            if (requests.TryGetProperty("memory", out var m)) memory += Bytes(m.GetString()!);
        }
        return (cpu, memory);
    }

    /// <summary>Millicores of the cpu quantities this suite writes and nodes report ("100m", "8").</summary>
    public static long MilliCpu(string quantity) => quantity.EndsWith('m')
        ? long.Parse(quantity[..^1], CultureInfo.InvariantCulture)
        : (long)(decimal.Parse(quantity, CultureInfo.InvariantCulture) * 1000);

    /// <summary>Bytes of the memory quantities this suite writes and nodes report ("128Mi", "32Gi", "1024Ki", plain bytes).</summary>
    public static long Bytes(string quantity)
    {
        (string Suffix, long Factor)[] units = [("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40)];
        foreach (var (suffix, factor) in units)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal)) return long.Parse(quantity[..^2], CultureInfo.InvariantCulture) * factor;
        }
        return long.Parse(quantity, CultureInfo.InvariantCulture);
    }

    private static async IAsyncEnumerable<JsonElement> ListAsync(HttpClient client, string collection)
    {
        string? next = null;
        do
        {
            var path = $"{collection}?limit=5000" + (next is null ? "" : $"&continue={Uri.EscapeDataString(next)}");
            using var page = await ControllerApi.GetAsync(client, path);
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray()) yield return item.Clone();
            next = page.RootElement.GetProperty("metadata").TryGetProperty("continue", out var c) ? c.GetString() : null;
        }
        while (!string.IsNullOrEmpty(next));
    }
}
