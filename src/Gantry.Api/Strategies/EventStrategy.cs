using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>
/// core/v1 Events: only Kubernetes' lenient legacy checks (namespace agreement; the reporting fields of new-style events
/// with an eventTime), kept for old clients.
/// </summary>
internal sealed class EventStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    protected override bool ValidatesMetadata => false;

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors) => ValidateLegacy(obj, errors);

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors) => ValidateLegacy(obj, errors);

    /// <summary>legacyValidateEvent over a core/v1-shaped event (errors use Kubernetes' internal field names).</summary>
    internal static void ValidateLegacy(JsonObject coreEvent, List<FieldError> errors)
    {
        var ns = JsonRead.Str(JsonRead.Obj(coreEvent, "metadata"), "namespace") ?? "";
        var involvedNamespace = JsonRead.Str(JsonRead.Obj(coreEvent, "involvedObject"), "namespace") ?? "";
        const string mismatch = "does not match event.namespace";
        if (string.IsNullOrEmpty(JsonRead.Str(coreEvent, "eventTime")))
        {
            // Old clients send cluster-scoped objects' events to "default".
            if (involvedNamespace.Length == 0 ? ns is not ("" or "default") : ns != involvedNamespace)
                errors.Add(FieldError.Invalid("involvedObject.namespace", involvedNamespace, mismatch));
        }
        else
        {
            if (involvedNamespace.Length == 0 && ns is not ("default" or "kube-system"))
                errors.Add(FieldError.Invalid("involvedObject.namespace", involvedNamespace, mismatch));
            var controller = JsonRead.Str(coreEvent, "reportingComponent") ?? "";
            if (controller.Length == 0) errors.Add(FieldError.Required("reportingController"));
            foreach (var message in NameFormats.QualifiedName(controller)) errors.Add(FieldError.Invalid("reportingController", controller, message));
            Bounded(coreEvent, "reportingInstance", "reportingInstance", 128, required: true, errors);
            Bounded(coreEvent, "action", "action", 128, required: true, errors);
            Bounded(coreEvent, "reason", "reason", 128, required: true, errors);
            Bounded(coreEvent, "message", "message", 1024, required: false, errors);
        }
        foreach (var message in NameFormats.Dns1123Subdomain(ns)) errors.Add(FieldError.Invalid("namespace", ns, message));
    }

    private static void Bounded(JsonObject coreEvent, string field, string path, int max, bool required, List<FieldError> errors)
    {
        var value = JsonRead.Str(coreEvent, field) ?? "";
        if (required && value.Length == 0) errors.Add(FieldError.Required(path));
        if (value.Length > max) errors.Add(FieldError.Invalid(path, "", $"can have at most {max} characters"));
    }
}
