using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Strategies;

namespace Gantry.Api.Tests.Strategies;

/// <summary>Runs objects through a strategy in the API server's order, as the server will.</summary>
internal static class Api
{
    public static IResourceStrategy StrategyFor(string apiVersion, string kind) =>
        StrategyCatalog.For(BuiltInResources.All.Single(d => d.ApiVersion == apiVersion && d.Kind == kind));

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>Create: server-set metadata, PrepareForCreate, ApplyDefaults; returns the object and the validation errors.</summary>
    public static (JsonObject Obj, IReadOnlyList<FieldError> Errors) Create(string apiVersion, string kind, string json)
    {
        var definition = BuiltInResources.All.Single(d => d.ApiVersion == apiVersion && d.Kind == kind);
        var strategy = StrategyCatalog.For(definition);
        var obj = Parse(json);
        var meta = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = meta;
        meta["uid"] ??= "11111111-2222-3333-4444-555555555555";
        meta["creationTimestamp"] ??= "2026-01-01T00:00:00Z";
        if (definition.Namespaced) meta["namespace"] ??= "default";
        strategy.PrepareForCreate(obj);
        strategy.ApplyDefaults(obj);
        return (obj, strategy.ValidateCreate(obj));
    }

    /// <summary>Update: PrepareForUpdate, ApplyDefaults, ValidateUpdate against the stored old object.</summary>
    public static (JsonObject Obj, IReadOnlyList<FieldError> Errors) Update(string apiVersion, string kind, JsonObject old, Action<JsonObject> change)
    {
        var strategy = StrategyFor(apiVersion, kind);
        var obj = old.DeepClone().AsObject();
        change(obj);
        strategy.PrepareForUpdate(obj, old);
        strategy.ApplyDefaults(obj);
        return (obj, strategy.ValidateUpdate(obj, old));
    }

    /// <summary>A created object that must be valid.</summary>
    public static JsonObject Valid(string apiVersion, string kind, string json)
    {
        var (obj, errors) = Create(apiVersion, kind, json);
        Assert.Empty(Lines(errors));
        return obj;
    }

    /// <summary>Errors as Kubernetes prints them: "field: message".</summary>
    public static List<string> Lines(IReadOnlyList<FieldError> errors) => errors.Select(e => $"{e.Field}: {e.Message}").ToList();

    public static string At(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
            node = int.TryParse(part, out var index) ? node?[index] : node?[part];
        return node?.ToJsonString() ?? "<absent>";
    }
}
