using System.Reflection;
using System.Text.Json.Serialization;
using Gantry.Api.Protobuf;
using Xunit;

namespace Gantry.Api.Tests.Protobuf;

/// <summary>
/// Checks the generated field table against an independent source of Kubernetes JSON names: the
/// KubernetesClient models (generated from the OpenAPI spec, not from the protobuf descriptors).
/// </summary>
public sealed class FieldTableTests
{
    private sealed record Row(string Message, int Number, string Name, string Label, string Type, string TypeName, string Presence);

    private static readonly List<Row> Rows = ReadTable();

    private static List<Row> ReadTable()
    {
        using var stream = typeof(KubernetesProtobuf).Assembly.GetManifestResourceStream("Gantry.Api.Protobuf.fields.tsv")!;
        using var reader = new StreamReader(stream);
        var rows = new List<Row>();
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#')) continue;
            var c = line.Split('\t');
            rows.Add(new Row(c[0], int.Parse(c[1]), c[2], c[3], c[4], c[5], c[6]));
        }
        return rows;
    }

    // k8s.io.api.core.v1.Volume -> V1Volume or Corev1Volume; meta v1 -> V1ObjectMeta.
    private static Type? ModelOf(string message)
    {
        var parts = message.Split('.');
        if (parts.Length < 2 || !char.IsUpper(parts[^1][0]) || char.IsUpper(parts[^2][0])) return null;
        var version = char.ToUpperInvariant(parts[^2][0]) + parts[^2][1..];
        var group = char.ToUpperInvariant(parts[^3][0]) + parts[^3][1..];
        var assembly = typeof(k8s.Models.V1Pod).Assembly;
        return assembly.GetType($"k8s.Models.{version}{parts[^1]}") ?? assembly.GetType($"k8s.Models.{group}{parts[^2]}{parts[^1]}");
    }

    private static HashSet<string> JsonNames(Type model) =>
        [.. model.GetProperties().Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).OfType<string>()];

    [Fact]
    public void FieldTable_JsonNames_MatchTheKubernetesClientModels()
    {
        var byMessage = Rows.Where(r => r.Type != "mapentry").ToLookup(r => r.Message);
        var mismatches = new List<string>();
        var checkedMessages = 0;
        foreach (var message in byMessage)
        {
            // Quantity marshals itself to a string, so its one field has no JSON name.
            if (message.Key == "k8s.io.apimachinery.pkg.api.resource.Quantity" || ModelOf(message.Key) is not { } model) continue;
            checkedMessages++;
            var names = JsonNames(model);
            mismatches.AddRange(JsonNamesOf(message, byMessage).Where(n => !names.Contains(n)).Select(n => $"{message.Key}.{n}"));
        }

        Assert.Empty(mismatches);
        Assert.True(checkedMessages > 400, $"only {checkedMessages} messages had a model to compare with");
    }

    // An inline struct contributes its own fields (recursively) to the enclosing object.
    private static IEnumerable<string> JsonNamesOf(IEnumerable<Row> fields, ILookup<string, Row> byMessage) =>
        fields.SelectMany(r => r.Presence == "inline" ? JsonNamesOf(byMessage[r.TypeName], byMessage) : [r.Name]);

    [Fact]
    public void FieldTable_Presence_MarksGoPointersAndValues()
    {
        Row Field(string message, string name) => Rows.Single(r => r.Message == message && r.Name == name);

        Assert.Equal("pointer", Field("k8s.io.api.apps.v1.DeploymentSpec", "replicas").Presence);
        Assert.Equal("value", Field("k8s.io.api.apps.v1.DeploymentSpec", "minReadySeconds").Presence);
        Assert.Equal("pointer", Field("k8s.io.api.core.v1.VolumeSource", "emptyDir").Presence);
        Assert.Equal("inline", Field("k8s.io.api.core.v1.Volume", "volumeSource").Presence);
    }

    [Fact]
    public void FieldTable_MapFields_PointAtMapEntryMessages()
    {
        var entries = Rows.Where(r => r.Type == "mapentry").Select(r => r.Message).ToHashSet();

        var maps = Rows.Where(r => r.Type == "map").ToList();

        Assert.NotEmpty(maps);
        Assert.All(maps, m => Assert.Contains(m.TypeName, entries));
        Assert.All(maps, m => Assert.Equal("optional", m.Label));
    }
}
