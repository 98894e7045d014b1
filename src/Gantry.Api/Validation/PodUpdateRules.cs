using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Validation;

/// <summary>What a pod update may change (ValidatePodUpdate): images, activeDeadlineSeconds, added tolerations, and little else.</summary>
public static class PodUpdateRules
{
    /// <summary>The Forbidden detail Kubernetes 1.32 gives for any other spec change (without its go-cmp diff).</summary>
    public const string ForbiddenDetail =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
        "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    /// <summary>Validates the spec part of a pod update.</summary>
    public static void Validate(JsonObject pod, JsonObject old, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(pod, "spec") ?? [];
        var oldSpec = JsonRead.Obj(old, "spec") ?? [];
        if (!ValidateDeadline(spec, oldSpec, errors)) return;
        foreach (var list in new[] { "containers", "initContainers" })
        {
            var items = JsonRead.Arr(spec, list);
            if ((items?.Count ?? 0) != (JsonRead.Arr(oldSpec, list)?.Count ?? 0))
            {
                errors.Add(FieldError.Forbidden("spec." + list, "pod updates may not add or remove containers"));
                return;
            }
            foreach (var (i, container) in JsonRead.Items(items))
            {
                var image = JsonRead.Str(container, "image") ?? "";
                if (image.Length == 0) errors.Add(FieldError.Required($"spec.{list}[{i}].image"));
                else if (image.Trim().Length != image.Length)
                    errors.Add(FieldError.Invalid($"spec.{list}[{i}].image", image, "must not have leading or trailing whitespace"));
            }
        }
        ValidateOnlyAddedTolerations(JsonRead.Arr(spec, "tolerations"), JsonRead.Arr(oldSpec, "tolerations"), errors);

        // Apply the allowed changes to a copy of the old spec; anything still different was not allowed.
        var munged = (JsonObject)oldSpec.DeepClone();
        foreach (var list in new[] { "containers", "initContainers" })
            foreach (var (i, container) in JsonRead.Items(JsonRead.Arr(munged, list)))
                container["image"] = (JsonRead.Arr(spec, list)![i] as JsonObject)?["image"]?.DeepClone();
        munged["activeDeadlineSeconds"] = spec["activeDeadlineSeconds"]?.DeepClone();
        munged["tolerations"] = spec["tolerations"]?.DeepClone();
        if (JsonRead.Long(oldSpec, "terminationGracePeriodSeconds") < 0 && JsonRead.Long(spec, "terminationGracePeriodSeconds") == 1)
            munged["terminationGracePeriodSeconds"] = 1;
        if (RemovesOnlyGates(JsonRead.Arr(spec, "schedulingGates"), JsonRead.Arr(oldSpec, "schedulingGates")))
            munged["schedulingGates"] = spec["schedulingGates"]?.DeepClone();
        if (!JsonSemantics.Equal(munged, spec))
            errors.Add(FieldError.Forbidden("spec", ForbiddenDetail));
    }

    private static bool ValidateDeadline(JsonObject spec, JsonObject oldSpec, List<FieldError> errors)
    {
        const string path = "spec.activeDeadlineSeconds";
        var deadline = JsonRead.Long(spec, "activeDeadlineSeconds");
        var oldDeadline = JsonRead.Long(oldSpec, "activeDeadlineSeconds");
        if (deadline is { } value)
        {
            if (value is < 0 or > int.MaxValue)
            {
                errors.Add(FieldError.Invalid(path, value, NameFormats.InclusiveRange(0, int.MaxValue)));
                return false;
            }
            if (oldDeadline is { } previous && previous < value)
            {
                errors.Add(FieldError.Invalid(path, value, "must be less than or equal to previous value"));
                return false;
            }
        }
        else if (oldDeadline is not null)
        {
            errors.Add(FieldError.InvalidRaw(path, "null", "must not update from a positive integer to nil value"));
        }
        return true;
    }

    private static void ValidateOnlyAddedTolerations(JsonArray? tolerations, JsonArray? oldTolerations, List<FieldError> errors)
    {
        foreach (var (i, old) in JsonRead.Items(oldTolerations))
        {
            var kept = JsonRead.Items(tolerations).Any(t => SameToleration(t.Item, old));
            if (!kept) errors.Add(FieldError.Forbidden($"spec.tolerations[{i}]", "existing toleration can not be modified except its tolerationSeconds"));
        }
    }

    // A NoExecute toleration may change its tolerationSeconds; everything else must stay.
    private static bool SameToleration(JsonObject a, JsonObject b)
    {
        foreach (var field in new[] { "key", "operator", "value", "effect" })
            if ((JsonRead.Str(a, field) ?? "") != (JsonRead.Str(b, field) ?? "")) return false;
        return JsonRead.Str(a, "effect") == "NoExecute" || JsonRead.Long(a, "tolerationSeconds") == JsonRead.Long(b, "tolerationSeconds");
    }

    private static bool RemovesOnlyGates(JsonArray? gates, JsonArray? oldGates)
    {
        var old = JsonRead.Items(oldGates).Select(g => JsonRead.Str(g.Item, "name")).ToHashSet();
        return JsonRead.Items(gates).All(g => old.Contains(JsonRead.Str(g.Item, "name")));
    }
}
