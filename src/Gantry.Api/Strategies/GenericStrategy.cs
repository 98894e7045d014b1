using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Strategies;

/// <summary>The behaviour every kind shares: status split and generation; kinds add their own rules on top.</summary>
public class GenericStrategy(bool hasStatus) : IResourceStrategy
{
    /// <inheritdoc />
    public bool HasStatusSubresource => hasStatus;

    /// <inheritdoc />
    public virtual void ApplyDefaults(JsonObject obj)
    {
    }

    /// <inheritdoc />
    public virtual void PrepareForCreate(JsonObject obj)
    {
        if (hasStatus) obj.Remove("status");
        if (obj["metadata"] is JsonObject meta) meta["generation"] = 1;
    }

    /// <inheritdoc />
    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        if (hasStatus)
        {
            obj.Remove("status");
            if (old["status"] is { } status) obj["status"] = status.DeepClone();
        }
        if (obj["metadata"] is not JsonObject meta) return;
        var oldGeneration = old["metadata"]?["generation"]?.GetValue<long>() ?? 1;
        var specChanged = !JsonNode.DeepEquals(obj["spec"], old["spec"]);
        meta["generation"] = specChanged ? oldGeneration + 1 : oldGeneration;
    }

    /// <inheritdoc />
    public virtual void PrepareForStatusUpdate(JsonObject obj, JsonObject old)
    {
        var status = obj["status"]?.DeepClone();
        foreach (var (name, value) in old)
        {
            if (name is "status" or "metadata") continue;
            obj[name] = value?.DeepClone();
        }
        foreach (var name in obj.Select(p => p.Key).ToList())
        {
            if (name is not ("status" or "metadata") && !old.ContainsKey(name)) obj.Remove(name);
        }
        if (status is null) obj.Remove("status"); else obj["status"] = status;
        if (obj["metadata"] is JsonObject meta && old["metadata"] is JsonObject oldMeta)
            meta["generation"] = oldMeta["generation"]?.DeepClone();
    }

    /// <inheritdoc />
    public virtual IReadOnlyList<FieldError> ValidateCreate(JsonObject obj) => [];

    /// <inheritdoc />
    public virtual IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => [];
}
