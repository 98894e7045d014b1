using Gantry.ApiServer.Http;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Patching;
using Gantry.Api.Registry;
using Gantry.Api.Strategies;
using Gantry.ApiServer.Admission;
using Gantry.ApiServer.Services;
using Gantry.Storage;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// The generic registry of the API server: create, read, update and delete of any registered resource as JSON, with
/// the per-kind strategy, admission and optimistic concurrency on the MVCC store. HTTP handlers and in-process
/// components use it alike.
/// </summary>
public sealed partial class ResourceService
{
    private const string NameChars = "bcdfghjklmnpqrstvwxz2456789";
    private const int MaxRetries = 16;
    private const int GenerateNameRetries = 7;
    private readonly IStore _store;
    private readonly NamespaceLifecycle _namespaces;
    private readonly PriorityAdmission _priority;
    private readonly TimeProvider _time;

    /// <summary>Creates the service over a store.</summary>
    public ResourceService(IStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        _namespaces = new NamespaceLifecycle(store);
        _priority = new PriorityAdmission(store);
    }

    /// <summary>Cluster IP and node port allocation of Services; null = Services are stored as given.</summary>
    internal ServiceAllocator? Services { get; init; }

    /// <summary>The ServiceAccount admission of pods; null = pods are stored without service account defaults.</summary>
    internal ServiceAccountAdmission? ServiceAccounts { get; init; }

    /// <summary>The store (for components that need revisions).</summary>
    public IStore Store => _store;

    /// <summary>Reads one object with its resourceVersion set; 404 when missing.</summary>
    public async Task<JsonObject> GetAsync(ResourceDefinition def, string? ns, string name, CancellationToken cancellationToken)
    {
        var value = await _store.GetAsync(def.KeyFor(ns, name), cancellationToken) ?? throw NotFound(def, name);
        return Decode(value);
    }

    /// <summary>Creates an object (POST).</summary>
    public async Task<JsonObject> CreateAsync(ResourceDefinition def, string? ns, JsonObject obj, WriteOptions options, CancellationToken cancellationToken)
    {
        var meta = PrepareIdentity(def, ns, obj);
        if (meta["resourceVersion"] is JsonValue rv && rv.ToString().Length > 0)
            throw ApiException.BadRequest("resourceVersion should not be set on objects to be created");
        var name = (string?)meta["name"] ?? "";
        var nameGenerated = name.Length == 0;
        if (nameGenerated)
        {
            var generate = (string?)meta["generateName"];
            if (string.IsNullOrEmpty(generate))
                throw ApiException.Invalid(def.Group, def.Kind, "", [FieldError.Required("metadata.name", "name or generateName is required")]);
            name = generate + RandomSuffix();
            meta["name"] = name;
        }
        meta["uid"] = ObjectUid.New();
        meta["creationTimestamp"] = ObjectMeta.Timestamp(_time.GetUtcNow());
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        var strategy = StrategyCatalog.For(def);
        strategy.PrepareForCreate(obj);
        strategy.ApplyDefaults(obj);
        RequesterAdmission.AdmitCreate(def, obj);
        if (def.Group.Length == 0 && def.Plural == "pods") DefaultTolerationSeconds.Admit(obj);
        if (def.Group.Length == 0 && def.Plural == "persistentvolumeclaims") await DefaultStorageClass.AdmitAsync(_store, obj, cancellationToken);
        if (ServiceAccounts is not null && def.Group.Length == 0 && def.Plural == "pods")
        {
            // As upstream's plugin order: a missing namespace is reported before a missing service account.
            await _namespaces.AdmitCreateAsync(def, ns!, name, cancellationToken);
            await ServiceAccounts.AdmitAsync(ns!, nameGenerated ? (string?)meta["generateName"] ?? "" : name, obj, cancellationToken);
        }
        if (!options.IsApply) ManagedFields.RecordUpdate(null, obj, options.FieldManager, ManagedFields.UpdateOperation, def.ApiVersion, _time.GetUtcNow());
        // Mutating admission runs after the field manager recorded the request, so spec.priority belongs to no manager.
        await _priority.AdmitCreateAsync(def, obj, nameGenerated ? (string?)meta["generateName"] ?? name : name, cancellationToken);
        // Allocation comes before validation (Kubernetes' BeginCreate); whatever is reserved is given back unless the write succeeds.
        var allocation = Services is not null && ServiceAllocator.Handles(def) ? Services.BeginCreate(obj) : null;
        try
        {
            var errors = strategy.ValidateCreate(obj);
            if (errors.Count > 0) throw ApiException.Invalid(def.Group, def.Kind, name, errors);
            if (def.Namespaced) await _namespaces.AdmitCreateAsync(def, ns!, name, cancellationToken);
            if (options.DryRun) return obj;
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var stored = await _store.CreateAsync(def.KeyFor(ns, name), Encode(obj), cancellationToken);
                    SetResourceVersion(obj, stored.ModRevision);
                    allocation?.Commit();
                    options.Written = stored;
                    return obj;
                }
                // A generated name that collides is drawn again, as Kubernetes does (up to 7 more times).
                catch (StoreKeyExistsException) when (nameGenerated && attempt < GenerateNameRetries)
                {
                    name = (string)meta["generateName"]! + RandomSuffix();
                    meta["name"] = name;
                }
                catch (StoreKeyExistsException)
                {
                    throw ApiException.AlreadyExists(def.Group, def.Plural, name);
                }
            }
        }
        finally
        {
            allocation?.Revert();
        }
    }

    /// <summary>
    /// Replaces an object (PUT on the object or its status subresource). A non-empty resourceVersion in the body is a
    /// precondition (409 when stale); an empty one updates whatever is current.
    /// </summary>
    public Task<JsonObject> UpdateAsync(ResourceDefinition def, string? ns, string name, JsonObject obj, bool status, WriteOptions options, CancellationToken cancellationToken)
    {
        var meta = PrepareIdentity(def, ns, obj);
        if ((string?)meta["name"] is { } bodyName && bodyName != name)
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        meta["name"] = name;
        var expected = ObjectMeta.ParseResourceVersion((string?)meta["resourceVersion"]);
        return GuaranteedUpdateAsync(def, ns, name, expected, (current, _) => obj.DeepClone().AsObject(), status, options, cancellationToken);
    }

    /// <summary>
    /// Reads the current object, lets <paramref name="mutate"/> produce the new one, and writes it with
    /// compare-and-swap, retrying on conflicts unless <paramref name="expectedRevision"/> pins a version. This is the
    /// path of updates and patches (Kubernetes' GuaranteedUpdate).
    /// </summary>
    public Task<JsonObject> GuaranteedUpdateAsync(ResourceDefinition def, string? ns, string name, long expectedRevision,
        Func<JsonObject, long, JsonObject> mutate, bool status, WriteOptions options, CancellationToken cancellationToken) =>
        GuaranteedUpdateAsync(def, ns, name, expectedRevision, mutate, status ? UpdateKind.Status : UpdateKind.Main, options, cancellationToken);

    /// <summary>
    /// The same read-modify-write for server-owned changes that bypass the kind's update rules (binding a pod to a
    /// node changes its otherwise immutable spec.nodeName; finalizing a namespace changes its spec).
    /// </summary>
    public Task<JsonObject> SystemUpdateAsync(ResourceDefinition def, string? ns, string name, Func<JsonObject, JsonObject> mutate, CancellationToken cancellationToken) =>
        GuaranteedUpdateAsync(def, ns, name, 0, (current, _) => mutate(current), UpdateKind.System, new WriteOptions(), cancellationToken);

    private enum UpdateKind { Main, Status, System }

    private async Task<JsonObject> GuaranteedUpdateAsync(ResourceDefinition def, string? ns, string name, long expectedRevision,
        Func<JsonObject, long, JsonObject> mutate, UpdateKind kind, WriteOptions options, CancellationToken cancellationToken)
    {
        var key = def.KeyFor(ns, name);
        var strategy = StrategyCatalog.For(def);
        for (var attempt = 0; ; attempt++)
        {
            var currentValue = await _store.GetAsync(key, cancellationToken) ?? throw NotFound(def, name);
            if (expectedRevision != 0 && expectedRevision != currentValue.ModRevision) throw Modified(def, name);
            // Two trees over one parse of the stored bytes: each materializes only the parts that are touched, where a
            // deep clone would copy the whole object for mutate to change freely.
            var element = Parse(currentValue);
            var old = Decode(element, currentValue.ModRevision);
            var updated = mutate(Decode(element, currentValue.ModRevision), currentValue.ModRevision);
            var patchedRevision = ObjectMeta.ParseResourceVersion(ObjectMeta.Get(updated, "resourceVersion"));
            if (patchedRevision != 0 && patchedRevision != currentValue.ModRevision) throw Modified(def, name);
            var uid = ObjectMeta.Get(updated, "uid");
            if (!string.IsNullOrEmpty(uid) && uid != ObjectMeta.Get(old, "uid"))
                throw ApiException.Conflict(def.Group, def.Plural, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectMeta.Get(old, "uid")}");
            KeepSystemMetadata(updated, old, def, ns, name);
            if (kind != UpdateKind.System) RequesterAdmission.AdmitUpdate(def, updated, old, kind == UpdateKind.Status);
            ServiceAllocation? allocation = null;
            try
            {
                if (kind != UpdateKind.System)
                {
                    if (kind == UpdateKind.Status) strategy.PrepareForStatusUpdate(updated, old); else strategy.PrepareForUpdate(updated, old);
                    if (kind == UpdateKind.Main) await _priority.AdmitUpdateAsync(def, updated, old, cancellationToken);
                    strategy.ApplyDefaults(updated);
                    if (kind == UpdateKind.Main && Services is not null && ServiceAllocator.Handles(def)) allocation = Services.BeginUpdate(updated, old);
                    var errors = kind == UpdateKind.Status ? strategy.ValidateStatusUpdate(updated, old) : strategy.ValidateUpdate(updated, old);
                    if (errors.Count > 0) throw ApiException.Invalid(def.Group, def.Kind, name, errors);
                    if (!options.IsApply) ManagedFields.RecordUpdate(old, updated, options.FieldManager, ManagedFields.UpdateOperation, def.ApiVersion, _time.GetUtcNow());
                }
                var encoded = Encode(updated);
                ObjectMeta.Of(updated).Remove("resourceVersion");
                if (Unchanged(encoded, currentValue, updated, old))
                {
                    SetResourceVersion(updated, currentValue.ModRevision);
                    options.Written = currentValue;
                    return updated;
                }
                if (options.DryRun)
                {
                    SetResourceVersion(updated, currentValue.ModRevision);
                    return updated;
                }
                try
                {
                    if (ShouldDeleteDuringUpdate(updated, old))
                    {
                        // The last finalizer is gone from an object being deleted: the update completes the deletion.
                        var deleted = await _store.DeleteAsync(key, currentValue.ModRevision, cancellationToken);
                        SetResourceVersion(updated, deleted.ModRevision);
                        if (Services is not null && ServiceAllocator.Handles(def)) Services.Release(old);
                        return updated;
                    }
                    var stored = await _store.UpdateAsync(key, encoded, currentValue.ModRevision, cancellationToken);
                    SetResourceVersion(updated, stored.ModRevision);
                    allocation?.Commit();
                    options.Written = stored;
                    return updated;
                }
                // Only a request that named no resourceVersion may be retried on a newer object (as Kubernetes' patcher).
                catch (StoreConflictException) when (expectedRevision == 0 && attempt < MaxRetries)
                {
                }
                catch (StoreConflictException)
                {
                    throw Modified(def, name);
                }
                catch (StoreKeyNotFoundException)
                {
                    throw NotFound(def, name);
                }
            }
            finally
            {
                allocation?.Revert();
            }
        }
    }

    /// <summary>
    /// Whether an update leaves the object as it is (and so writes nothing). Both sides are serialized the same way,
    /// so equal bytes mean no change, as in Kubernetes' GuaranteedUpdate, and a different length means a change;
    /// only equal lengths with different bytes (members in another order) need the tree comparison.
    /// </summary>
    private static bool Unchanged(ReadOnlyMemory<byte> encoded, StoredValue current, JsonObject updated, JsonObject old)
    {
        if (encoded.Length != current.Value.Length) return false;
        if (encoded.Span.SequenceEqual(current.Value.Span)) return true;
        ObjectMeta.Of(old).Remove("resourceVersion");
        return JsonNode.DeepEquals(updated, old);
    }

    /// <summary>The object decoded from a stored value, resourceVersion set.</summary>
    public static JsonObject Decode(StoredValue value) => Decode(Parse(value), value.ModRevision);

    // An element of its own (not a pooled document that would need disposing, which the lazily built trees cannot
    // allow): renting the document's buffers without giving them back costs more than the copies of this path.
    private static JsonElement Parse(StoredValue value)
    {
        var reader = new Utf8JsonReader(value.Value.Span);
        return JsonElement.ParseValue(ref reader);
    }

    private static JsonObject Decode(JsonElement element, long revision)
    {
        var obj = JsonObject.Create(element)!;
        SetResourceVersion(obj, revision);
        return obj;
    }

    /// <summary>
    /// Stored form: the object without resourceVersion (the store's revision is the truth), in this thread's encode
    /// buffer, valid until the thread encodes again: it goes straight to the store, which copies it.
    /// </summary>
    public static ReadOnlyMemory<byte> Encode(JsonObject obj)
    {
        var meta = ObjectMeta.Of(obj);
        var rv = meta["resourceVersion"];
        meta.Remove("resourceVersion");
        var bytes = EncodeBuffer.Serialize(obj);
        if (rv is not null) meta["resourceVersion"] = rv;
        return bytes;
    }

    /// <summary>Sets metadata.resourceVersion.</summary>
    public static void SetResourceVersion(JsonObject obj, long revision) =>
        ObjectMeta.Of(obj)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Kubernetes' ShouldDeleteDuringUpdate: an update completes a requested deletion once no finalizer holds the object
    /// (a namespace's spec.finalizers too: only the finalize subresource clears them) and no grace period is running.
    /// A pod inside its grace period keeps accepting status writes from its kubelet until the kubelet deletes it.
    /// </summary>
    private static bool ShouldDeleteDuringUpdate(JsonObject updated, JsonObject old)
    {
        if (ObjectMeta.Finalizers(updated).Count > 0 || updated["spec"]?["finalizers"] is JsonArray { Count: > 0 }) return false;
        if (ObjectMeta.Get(old, "deletionTimestamp") is null) return false;
        return old["metadata"]?["deletionGracePeriodSeconds"] is not JsonValue grace || !grace.TryGetValue<long>(out var seconds) || seconds == 0;
    }

    private static JsonObject PrepareIdentity(ResourceDefinition def, string? ns, JsonObject obj)
    {
        var apiVersion = (string?)(obj["apiVersion"] as JsonValue);
        var kind = (string?)(obj["kind"] as JsonValue);
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != def.ApiVersion)
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({def.ApiVersion})");
        if (!string.IsNullOrEmpty(kind) && kind != def.Kind)
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({def.Kind})");
        obj["apiVersion"] = def.ApiVersion;
        obj["kind"] = def.Kind;
        var meta = obj["metadata"] switch
        {
            JsonObject m => m,
            null => ObjectMeta.Of(obj),
            _ => throw ApiException.BadRequest("metadata must be an object"),
        };
        if (def.Namespaced)
        {
            var bodyNs = meta["namespace"] is JsonValue v ? v.ToString() : null;
            if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            meta["namespace"] = ns;
        }
        else meta.Remove("namespace");
        return meta;
    }

    /// <summary>Fields of metadata that only the server sets survive client updates unchanged.</summary>
    private static void KeepSystemMetadata(JsonObject updated, JsonObject old, ResourceDefinition def, string? ns, string name)
    {
        updated["apiVersion"] = def.ApiVersion;
        updated["kind"] = def.Kind;
        var meta = ObjectMeta.Of(updated);
        var oldMeta = ObjectMeta.Of(old);
        meta["name"] = name;
        if (def.Namespaced) meta["namespace"] = ns; else meta.Remove("namespace");
        foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName" })
        {
            if (oldMeta[field] is { } value) meta[field] = value.DeepClone(); else meta.Remove(field);
        }
        meta.Remove("selfLink");
    }

    private static string RandomSuffix() => string.Create(5, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = NameChars[RandomNumberGenerator.GetInt32(NameChars.Length)];
    });

    internal static ApiException NotFound(ResourceDefinition def, string name) => ApiException.NotFound(def.Group, def.Plural, name);

    private static ApiException Modified(ResourceDefinition def, string name) =>
        ApiException.Conflict(def.Group, def.Plural, name, "the object has been modified; please apply your changes to the latest version and try again");
}
