using System.Text.Json.Nodes;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>Reading pod JSON as kubectl returns it.</summary>
internal static class Pods
{
    public static string Name(JsonNode pod) => (string)pod["metadata"]!["name"]!;

    public static string? NodeName(JsonNode pod) => (string?)pod["spec"]!["nodeName"];

    public static string? Condition(JsonNode obj, string type) =>
        (string?)obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == type)?["status"];

    public static bool IsRunningAndReady(JsonNode pod) => (string?)pod["status"]?["phase"] == "Running" && Condition(pod, "Ready") == "True";

    public static bool IsTerminating(JsonNode pod) => pod["metadata"]!["deletionTimestamp"] is not null;

    /// <summary>One line per pod for failure messages: name@node:phase[/ready][/deleting].</summary>
    public static string Describe(IEnumerable<JsonNode> pods) => string.Join(", ", pods.Select(p =>
        $"{Name(p)}@{NodeName(p)}:{p["status"]!["phase"]}{(IsRunningAndReady(p) ? "/ready" : "")}{(IsTerminating(p) ? "/deleting" : "")}"));
}
