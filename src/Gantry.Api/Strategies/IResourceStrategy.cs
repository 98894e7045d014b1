using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Strategies;

/// <summary>
/// Per-kind behaviour of the generic API server, as Kubernetes' registry strategies: defaulting, validation,
/// and what a write may change (spec versus status, generation).
/// </summary>
public interface IResourceStrategy
{
    /// <summary>Whether status is written only through the status subresource.</summary>
    bool HasStatusSubresource { get; }

    /// <summary>Fills unset fields with Kubernetes' defaults (on create and update); idempotent, writes only missing fields.</summary>
    void ApplyDefaults(JsonObject obj);

    /// <summary>
    /// Adjusts a new object before validation: server-owned status (reset when it has its own subresource), generation 1
    /// for kinds that track it, generated values (Job selectors, Namespace finalizers, Secret stringData folded into data).
    /// </summary>
    void PrepareForCreate(JsonObject obj);

    /// <summary>
    /// Adjusts an update of the main resource: keeps the old status and the server-owned metadata (uid, creation and
    /// deletion timestamps), bumps generation when the spec changed.
    /// </summary>
    void PrepareForUpdate(JsonObject obj, JsonObject old);

    /// <summary>Adjusts a status subresource update: keeps everything but status (and labels/annotations may change).</summary>
    void PrepareForStatusUpdate(JsonObject obj, JsonObject old);

    /// <summary>Validates a new object; empty when valid.</summary>
    IReadOnlyList<FieldError> ValidateCreate(JsonObject obj);

    /// <summary>Validates an update (immutable fields included); empty when valid.</summary>
    IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old);

    /// <summary>
    /// Validates an update through the status subresource, after <see cref="PrepareForStatusUpdate"/> put the stored
    /// spec back; empty when valid.
    /// </summary>
    IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old);
}
