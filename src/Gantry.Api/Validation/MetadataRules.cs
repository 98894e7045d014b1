using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Validation;

/// <summary>ObjectMeta validation as Kubernetes does it for every kind (apimachinery ValidateObjectMeta and its update).</summary>
public static class MetadataRules
{
    /// <summary>The total size limit of annotation keys and values (256 KiB).</summary>
    public const int TotalAnnotationSizeLimit = 256 * 1024;

    /// <summary>Validates the metadata of a new object; <paramref name="nameRule"/> is the kind's name format.</summary>
    public static void ValidateCreate(JsonObject obj, bool namespaced, Func<string, IReadOnlyList<string>> nameRule, List<FieldError> errors)
    {
        var meta = JsonRead.Obj(obj, "metadata");
        if (JsonRead.Str(meta, "generateName") is { Length: > 0 } generateName)
            foreach (var message in nameRule(MaskTrailingDash(generateName))) errors.Add(FieldError.Invalid("metadata.generateName", generateName, message));
        var name = JsonRead.Str(meta, "name") ?? "";
        if (name.Length == 0) errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        else foreach (var message in nameRule(name)) errors.Add(FieldError.Invalid("metadata.name", name, message));
        ValidateCommon(meta, namespaced, errors);
    }

    /// <summary>Validates the metadata of an update: the immutable identity fields and the same rules as on create.</summary>
    public static void ValidateUpdate(JsonObject obj, JsonObject old, bool namespaced, List<FieldError> errors)
    {
        var meta = JsonRead.Obj(obj, "metadata");
        var oldMeta = JsonRead.Obj(old, "metadata");
        if (JsonRead.Str(oldMeta, "deletionTimestamp") is not null)
        {
            var oldFinalizers = JsonRead.Strings(JsonRead.Arr(oldMeta, "finalizers")).Select(f => f.Value).ToHashSet(StringComparer.Ordinal);
            var added = JsonRead.Strings(JsonRead.Arr(meta, "finalizers")).Select(f => f.Value).Where(f => !oldFinalizers.Contains(f))
                .Distinct().Order(StringComparer.Ordinal).ToList();
            if (added.Count > 0)
                errors.Add(FieldError.Forbidden("metadata.finalizers",
                    $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(GoValue.Quote))}}}"));
        }
        if ((JsonRead.Long(meta, "generation") ?? 0) < (JsonRead.Long(oldMeta, "generation") ?? 0))
            errors.Add(FieldError.Invalid("metadata.generation", JsonRead.Long(meta, "generation") ?? 0, "must not be decremented"));
        foreach (var field in new[] { "name", "namespace", "uid" })
        {
            var value = JsonRead.Str(meta, field) ?? "";
            if (value != (JsonRead.Str(oldMeta, field) ?? ""))
                errors.Add(FieldError.Invalid("metadata." + field, value, "field is immutable"));
        }
        foreach (var field in new[] { "creationTimestamp", "deletionTimestamp" })
        {
            var value = JsonRead.Str(meta, field);
            if (!SameInstant(value, JsonRead.Str(oldMeta, field)))
                errors.Add(FieldError.InvalidRaw("metadata." + field, GoValue.Time(value), "field is immutable"));
        }
        var grace = JsonRead.Long(meta, "deletionGracePeriodSeconds");
        if (grace != JsonRead.Long(oldMeta, "deletionGracePeriodSeconds"))
            errors.Add(grace is { } g ? FieldError.Invalid("metadata.deletionGracePeriodSeconds", g, "field is immutable")
                : FieldError.InvalidRaw("metadata.deletionGracePeriodSeconds", "null", "field is immutable"));
        ValidateMaps(meta, errors);
    }

    /// <summary>Validates label keys (qualified names) and values; errors name the whole map's path, as Kubernetes does.</summary>
    public static void ValidateLabels(JsonObject? labels, string path, List<FieldError> errors)
    {
        foreach (var (key, value) in JsonRead.StringMap(labels))
        {
            foreach (var message in NameFormats.QualifiedName(key)) errors.Add(FieldError.Invalid(path, key, message));
            foreach (var message in NameFormats.LabelValue(value)) errors.Add(FieldError.Invalid(path, value, message));
        }
    }

    /// <summary>Validates annotation keys (case-insensitive qualified names) and their total size.</summary>
    public static void ValidateAnnotations(JsonObject? annotations, string path, List<FieldError> errors)
    {
        long total = 0;
        foreach (var (key, value) in JsonRead.StringMap(annotations))
        {
            foreach (var message in NameFormats.QualifiedName(key.ToLowerInvariant())) errors.Add(FieldError.Invalid(path, key, message));
            total += System.Text.Encoding.UTF8.GetByteCount(key) + System.Text.Encoding.UTF8.GetByteCount(value);
        }
        if (total > TotalAnnotationSizeLimit) errors.Add(FieldError.TooLong(path, TotalAnnotationSizeLimit));
    }

    private static void ValidateCommon(JsonObject? meta, bool namespaced, List<FieldError> errors)
    {
        var ns = JsonRead.Str(meta, "namespace") ?? "";
        if (namespaced)
        {
            if (ns.Length == 0) errors.Add(FieldError.Required("metadata.namespace"));
            else foreach (var message in NameFormats.Dns1123Label(ns)) errors.Add(FieldError.Invalid("metadata.namespace", ns, message));
        }
        else if (ns.Length != 0)
        {
            errors.Add(FieldError.Forbidden("metadata.namespace", "not allowed on this type"));
        }
        if (JsonRead.Long(meta, "generation") is < 0 and var generation)
            errors.Add(FieldError.Invalid("metadata.generation", generation, "must be greater than or equal to 0"));
        ValidateMaps(meta, errors);
    }

    private static void ValidateMaps(JsonObject? meta, List<FieldError> errors)
    {
        ValidateLabels(JsonRead.Obj(meta, "labels"), "metadata.labels", errors);
        ValidateAnnotations(JsonRead.Obj(meta, "annotations"), "metadata.annotations", errors);
        ValidateOwnerReferences(JsonRead.Arr(meta, "ownerReferences"), errors);
        ValidateFinalizers(JsonRead.Arr(meta, "finalizers"), errors);
    }

    private static void ValidateOwnerReferences(JsonArray? references, List<FieldError> errors)
    {
        const string path = "metadata.ownerReferences";
        string? firstController = null;
        foreach (var (_, reference) in JsonRead.Items(references))
        {
            var apiVersion = JsonRead.Str(reference, "apiVersion") ?? "";
            var kind = JsonRead.Str(reference, "kind") ?? "";
            var version = apiVersion.Contains('/') ? apiVersion[(apiVersion.IndexOf('/') + 1)..] : apiVersion;
            if (version.Length == 0) errors.Add(FieldError.Invalid(path + ".apiVersion", apiVersion, "version must not be empty"));
            if (kind.Length == 0) errors.Add(FieldError.Invalid(path + ".kind", kind, "must not be empty"));
            var name = JsonRead.Str(reference, "name") ?? "";
            if (name.Length == 0) errors.Add(FieldError.Invalid(path + ".name", name, "must not be empty"));
            var uid = JsonRead.Str(reference, "uid") ?? "";
            if (uid.Length == 0) errors.Add(FieldError.Invalid(path + ".uid", uid, "must not be empty"));
            if (apiVersion == "v1" && kind == "Event")
                errors.Add(FieldError.InvalidRaw(path, GoValue.Json(reference), "/v1, Kind=Event is disallowed from being an owner"));
            if (JsonRead.Bool(reference, "controller") == true)
            {
                var current = kind + "/" + name;
                if (firstController is null) firstController = current;
                else errors.Add(FieldError.InvalidRaw(path, GoValue.Json(references),
                    $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"));
            }
        }
    }

    private static void ValidateFinalizers(JsonArray? finalizers, List<FieldError> errors)
    {
        var values = JsonRead.Strings(finalizers).Select(f => f.Value).ToList();
        foreach (var finalizer in values)
            foreach (var message in NameFormats.QualifiedName(finalizer)) errors.Add(FieldError.Invalid("metadata.finalizers", finalizer, message));
        if (values.Contains("orphan") && values.Contains("foregroundDeletion"))
            errors.Add(FieldError.InvalidRaw("metadata.finalizers", GoValue.StringSlice(finalizers), "finalizer orphan and foregroundDeletion cannot be both set"));
    }

    // A generateName prefix may end in '-' (random characters follow); Kubernetes checks it with that dash masked.
    private static string MaskTrailingDash(string prefix) =>
        prefix.Length > 1 && prefix.EndsWith('-') ? prefix[..^2] + "a" : prefix;

    private static bool SameInstant(string? a, string? b)
    {
        if (a == b) return true;
        if (a is null || b is null) return false;
        return DateTimeOffset.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var x)
            && DateTimeOffset.TryParse(b, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var y)
            && x == y;
    }
}
