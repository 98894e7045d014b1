using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>
/// The behaviour every kind shares: status split, generation and ObjectMeta validation. Kinds derive from it and add
/// their defaults (<see cref="ApplyDefaults"/>) and their spec rules (<see cref="ValidateObject"/>, <see cref="ValidateObjectUpdate"/>).
/// </summary>
/// <param name="definition">The served resource: scope and subresources.</param>
/// <param name="tracksGeneration">Whether metadata.generation is kept (as Kubernetes does for workloads and custom resources).</param>
public class GenericStrategy(ResourceDefinition definition, bool tracksGeneration = true) : IResourceStrategy
{
    /// <summary>The resource this strategy serves.</summary>
    protected ResourceDefinition Definition => definition;

    /// <inheritdoc />
    public bool HasStatusSubresource => definition.Subresources.Contains("status");

    /// <summary>The kind's object name format; DNS-1123 subdomain unless the kind says otherwise.</summary>
    protected virtual IReadOnlyList<string> ValidateName(string name) => NameFormats.Dns1123Subdomain(name);

    /// <summary>
    /// Whether the kind validates ObjectMeta with its own name rule; false for the few kinds that Kubernetes leaves
    /// to its generic checks (core events) or does not check at all (bindings, reviews).
    /// </summary>
    protected virtual bool ValidatesMetadata => true;

    /// <summary>Whether a change between the old and new object bumps metadata.generation (a spec change, by default).</summary>
    protected virtual bool ChangesGeneration(JsonObject obj, JsonObject old) => !JsonSemantics.Equal(obj["spec"], old["spec"]);

    /// <summary>
    /// The status a new object starts with when status has its own subresource (what Kubernetes' zero status
    /// serializes to); null for none.
    /// </summary>
    protected virtual JsonObject? InitialStatus(JsonObject obj) => null;

    /// <inheritdoc />
    public virtual void ApplyDefaults(JsonObject obj)
    {
    }

    /// <inheritdoc />
    public virtual void PrepareForCreate(JsonObject obj)
    {
        // Kubernetes defaults while decoding, before the strategy sees the object; doing the same here keeps the
        // strategy's decisions (generation, generated selectors, QoS) identical. Defaulting is idempotent.
        ApplyDefaults(obj);
        ClearNamespaceOfClusterScoped(obj);
        if (HasStatusSubresource)
        {
            obj.Remove("status");
            if (InitialStatus(obj) is { } status) obj["status"] = status;
        }
        if (tracksGeneration && obj["metadata"] is JsonObject meta) meta["generation"] = 1;
    }

    /// <inheritdoc />
    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        ApplyDefaults(obj);
        ClearNamespaceOfClusterScoped(obj);
        KeepServerOwnedMetadata(obj, old);
        if (HasStatusSubresource)
        {
            obj.Remove("status");
            if (old["status"] is { } status) obj["status"] = status.DeepClone();
        }
        if (!tracksGeneration || obj["metadata"] is not JsonObject meta) return;
        var oldGeneration = JsonRead.Long(old["metadata"], "generation") ?? 1;
        meta["generation"] = ChangesGeneration(obj, old) ? oldGeneration + 1 : oldGeneration;
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
        KeepServerOwnedMetadata(obj, old);
        if (obj["metadata"] is JsonObject meta && old["metadata"] is JsonObject oldMeta)
        {
            if (oldMeta["generation"] is { } generation) meta["generation"] = generation.DeepClone();
            else meta.Remove("generation");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<FieldError> ValidateCreate(JsonObject obj)
    {
        var errors = new List<FieldError>();
        if (ValidatesMetadata) MetadataRules.ValidateCreate(obj, definition.Namespaced, ValidateName, errors);
        ValidateObject(obj, errors);
        // Kubernetes' generic registry checks the ObjectMeta of every stored object once the kind's own rules pass,
        // with the loosest name rule (a path segment); that is all the metadata checking some kinds (events) get.
        if (errors.Count == 0 && !ValidatesMetadata && !definition.CreateOnly)
            MetadataRules.ValidateCreate(obj, definition.Namespaced, NameFormats.PathSegmentName, errors);
        return errors;
    }

    /// <inheritdoc />
    public IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = new List<FieldError>();
        if (!definition.CreateOnly) MetadataRules.ValidateUpdate(obj, old, definition.Namespaced, errors);
        ValidateObjectUpdate(obj, old, errors);
        return errors;
    }

    /// <inheritdoc />
    /// <remarks>The same rules as any update unless the kind knows its status writes need fewer.</remarks>
    public virtual IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old) => ValidateUpdate(obj, old);

    // Kubernetes' registry silently drops a namespace sent with a cluster-scoped object (kubectl -n on a ClusterRole).
    private void ClearNamespaceOfClusterScoped(JsonObject obj)
    {
        if (!definition.Namespaced && obj["metadata"] is JsonObject meta) meta.Remove("namespace");
    }

    // What Kubernetes' BeforeUpdate does for every kind: clients need not send uid or timestamps back, and cannot
    // change them.
    private static void KeepServerOwnedMetadata(JsonObject obj, JsonObject old)
    {
        if (obj["metadata"] is not JsonObject meta || old["metadata"] is not JsonObject oldMeta) return;
        if (string.IsNullOrEmpty(JsonRead.Str(meta, "uid")) && oldMeta["uid"] is { } uid) meta["uid"] = uid.DeepClone();
        if (oldMeta["creationTimestamp"] is { } created) meta["creationTimestamp"] = created.DeepClone();
        if (oldMeta["deletionTimestamp"] is { } deleted) meta["deletionTimestamp"] = deleted.DeepClone();
        if (oldMeta["deletionGracePeriodSeconds"] is { } grace && meta["deletionGracePeriodSeconds"] is null)
            meta["deletionGracePeriodSeconds"] = grace.DeepClone();
    }

    /// <summary>The kind's own rules for a new object (beyond metadata).</summary>
    protected virtual void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
    }

    /// <summary>The kind's own rules for an update: by default the create rules on the new object; kinds add immutability.</summary>
    protected virtual void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) => ValidateObject(obj, errors);

    /// <summary>Adds "field is immutable" when a string field changed.</summary>
    protected static void Immutable(string? value, string? oldValue, string path, List<FieldError> errors)
    {
        if ((value ?? "") != (oldValue ?? "")) errors.Add(FieldError.Invalid(path, value ?? "", "field is immutable"));
    }

    /// <summary>Adds "field is immutable" when a field changed, rendering the new value with <paramref name="render"/>.</summary>
    protected static void Immutable(JsonNode? value, JsonNode? oldValue, string path, Func<JsonNode?, string> render, List<FieldError> errors)
    {
        if (!JsonSemantics.Equal(value, oldValue)) errors.Add(FieldError.InvalidRaw(path, render(value), "field is immutable"));
    }
}
