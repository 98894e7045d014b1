using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Storage;

namespace Gantry.ApiServer.Objects;

public sealed partial class ResourceService
{
    private const string OrphanFinalizer = "orphan";
    private const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>
    /// Deletes an object as Kubernetes does: immediately, or — when finalizers remain, the propagation policy needs
    /// the garbage collector, or a pod on a node has a grace period — by setting deletionTimestamp and leaving the
    /// final removal to whoever finishes the work. Returns the object and whether it is gone already.
    /// </summary>
    public async Task<(JsonObject Object, bool Deleted)> DeleteAsync(ResourceDefinition def, string? ns, string name, DeleteRequest request, CancellationToken cancellationToken)
    {
        var key = def.KeyFor(ns, name);
        if (def.Kind == "Namespace") await _namespaces.AdmitDeleteAsync(name, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var current = await _store.GetAsync(key, cancellationToken) ?? throw NotFound(def, name);
            var obj = Decode(current);
            CheckPreconditions(def, name, obj, request);
            var meta = ObjectMeta.Of(obj);
            var changed = false;
            var policy = request.PropagationPolicy ?? DefaultPropagation(def);
            var finalizers = ObjectMeta.Finalizers(obj);
            if (policy == "Orphan" && !finalizers.Contains(OrphanFinalizer)) { finalizers.Add(OrphanFinalizer); changed = true; }
            if (policy == "Foreground" && !finalizers.Contains(ForegroundFinalizer)) { finalizers.Add(ForegroundFinalizer); changed = true; }
            var now = _time.GetUtcNow();
            var graceful = GracefulSeconds(def, obj, request);
            var terminating = meta["deletionTimestamp"] is not null;
            if (def.Kind == "Namespace")
            {
                if (!terminating) { meta["deletionTimestamp"] = ObjectMeta.Timestamp(now); meta["deletionGracePeriodSeconds"] = 0; changed = true; }
                if (obj["status"] is not JsonObject status) obj["status"] = status = new JsonObject();
                if ((string?)status["phase"] != "Terminating") { status["phase"] = "Terminating"; changed = true; }
                if (obj["spec"]?["finalizers"] is JsonArray { Count: > 0 } || finalizers.Count > 0)
                    return await WriteTerminatingAsync(def, key, name, obj, finalizers, changed, current.ModRevision, request, attempt, cancellationToken)
                        ?? await RetryDeleteAsync(def, ns, name, request, cancellationToken);
            }
            else if (graceful > 0)
            {
                var existingGrace = (long?)(meta["deletionGracePeriodSeconds"] as JsonValue);
                if (!terminating || existingGrace is null || graceful < existingGrace)
                {
                    meta["deletionTimestamp"] = ObjectMeta.Timestamp(now.AddSeconds(graceful));
                    meta["deletionGracePeriodSeconds"] = graceful;
                    changed = true;
                }
                return await WriteTerminatingAsync(def, key, name, obj, finalizers, changed, current.ModRevision, request, attempt, cancellationToken)
                    ?? await RetryDeleteAsync(def, ns, name, request, cancellationToken);
            }
            else if (finalizers.Count > 0)
            {
                if (!terminating) { meta["deletionTimestamp"] = ObjectMeta.Timestamp(now); meta["deletionGracePeriodSeconds"] = 0; changed = true; }
                return await WriteTerminatingAsync(def, key, name, obj, finalizers, changed, current.ModRevision, request, attempt, cancellationToken)
                    ?? await RetryDeleteAsync(def, ns, name, request, cancellationToken);
            }
            if (request.DryRun) return (obj, true);
            try
            {
                var deleted = await _store.DeleteAsync(key, current.ModRevision, cancellationToken);
                SetResourceVersion(obj, deleted.ModRevision);
                if (Services is not null && Gantry.ApiServer.Services.ServiceAllocator.Handles(def)) Services.Release(obj);
                return (obj, true);
            }
            catch (StoreConflictException) when (attempt < MaxRetries)
            {
            }
            catch (StoreKeyNotFoundException)
            {
                throw NotFound(def, name);
            }
        }
    }

    private async Task<(JsonObject, bool)?> WriteTerminatingAsync(ResourceDefinition def, string key, string name, JsonObject obj, List<string> finalizers,
        bool changed, long revision, DeleteRequest request, int attempt, CancellationToken cancellationToken)
    {
        if (!changed || request.DryRun) return (obj, false);
        var meta = ObjectMeta.Of(obj);
        if (finalizers.Count > 0) meta["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        try
        {
            var stored = await _store.UpdateAsync(key, Encode(obj), revision, cancellationToken);
            SetResourceVersion(obj, stored.ModRevision);
            return (obj, false);
        }
        catch (StoreConflictException) when (attempt < MaxRetries)
        {
            return null;
        }
        catch (StoreKeyNotFoundException)
        {
            throw ApiException.NotFound(def.Group, def.Plural, name);
        }
    }

    private Task<(JsonObject, bool)> RetryDeleteAsync(ResourceDefinition def, string? ns, string name, DeleteRequest request, CancellationToken cancellationToken) =>
        DeleteAsync(def, ns, name, request, cancellationToken);

    private static void CheckPreconditions(ResourceDefinition def, string name, JsonObject obj, DeleteRequest request)
    {
        var uid = ObjectMeta.Get(obj, "uid");
        if (request.PreconditionUid is { Length: > 0 } wantUid && wantUid != uid)
            throw ApiException.Conflict(def.Group, def.Plural, name, $"Precondition failed: UID in precondition: {wantUid}, UID in object meta: {uid}");
        var rv = ObjectMeta.Get(obj, "resourceVersion");
        if (request.PreconditionResourceVersion is { Length: > 0 } wantRv && wantRv != rv)
            throw ApiException.Conflict(def.Group, def.Plural, name, $"Precondition failed: ResourceVersion in precondition: {wantRv}, ResourceVersion in object meta: {rv}");
    }

    /// <summary>Kubernetes keeps the old orphaning default for core/v1 ReplicationControllers and batch/v1 Jobs.</summary>
    private static string DefaultPropagation(ResourceDefinition def) =>
        (def.Group, def.Kind) is ("", "ReplicationController") or ("batch", "Job") ? "Orphan" : "Background";

    /// <summary>Pods bound to a node terminate gracefully (the node agent finishes the deletion); everything else goes at once.</summary>
    private static long GracefulSeconds(ResourceDefinition def, JsonObject obj, DeleteRequest request)
    {
        if (def.Group.Length != 0 || def.Kind != "Pod") return 0;
        if (string.IsNullOrEmpty((string?)(obj["spec"]?["nodeName"] as JsonValue))) return 0;
        var phase = (string?)(obj["status"]?["phase"] as JsonValue);
        if (phase is "Succeeded" or "Failed") return 0;
        var grace = request.GracePeriodSeconds ?? (long?)(obj["spec"]?["terminationGracePeriodSeconds"] as JsonValue) ?? 30;
        return Math.Max(grace, 0);
    }
}
