using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>RBAC RoleBindings and ClusterRoleBindings: roleRef required and fixed, subjects well formed.</summary>
internal sealed class RoleBindingStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private const string RbacGroup = "rbac.authorization.k8s.io";

    protected override IReadOnlyList<string> ValidateName(string name) => NameFormats.PathSegmentName(name);

    public override void ApplyDefaults(JsonObject obj)
    {
        JsonRead.DefaultString(JsonRead.Child(obj, "roleRef"), "apiGroup", RbacGroup);
        foreach (var (_, subject) in JsonRead.Items(JsonRead.Arr(obj, "subjects")))
        {
            if (!string.IsNullOrEmpty(JsonRead.Str(subject, "apiGroup"))) continue;
            switch (JsonRead.Str(subject, "kind"))
            {
                case "ServiceAccount": subject["apiGroup"] = ""; break;
                case "User" or "Group": subject["apiGroup"] = RbacGroup; break;
            }
        }
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var roleRef = JsonRead.Obj(obj, "roleRef");
        var apiGroup = JsonRead.Str(roleRef, "apiGroup") ?? "";
        if (apiGroup != RbacGroup) errors.Add(FieldError.NotSupported("roleRef.apiGroup", apiGroup, [RbacGroup]));
        var kind = JsonRead.Str(roleRef, "kind") ?? "";
        string[] kinds = Definition.Namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
        if (!kinds.Contains(kind)) errors.Add(FieldError.NotSupported("roleRef.kind", kind, kinds));
        var name = JsonRead.Str(roleRef, "name") ?? "";
        if (name.Length == 0) errors.Add(FieldError.Required("roleRef.name"));
        else foreach (var message in NameFormats.PathSegmentName(name)) errors.Add(FieldError.Invalid("roleRef.name", name, message));
        foreach (var (i, subject) in JsonRead.Items(JsonRead.Arr(obj, "subjects"))) ValidateSubject(subject, $"subjects[{i}]", errors);
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        if (!JsonSemantics.Equal(JsonRead.Obj(obj, "roleRef"), JsonRead.Obj(old, "roleRef")))
            errors.Add(FieldError.InvalidRaw("roleRef", GoValue.RoleRef(JsonRead.Obj(obj, "roleRef")), "cannot change roleRef"));
    }

    private void ValidateSubject(JsonObject subject, string path, List<FieldError> errors)
    {
        var name = JsonRead.Str(subject, "name") ?? "";
        if (name.Length == 0) errors.Add(FieldError.Required(path + ".name"));
        var apiGroup = JsonRead.Str(subject, "apiGroup") ?? "";
        var kind = JsonRead.Str(subject, "kind") ?? "";
        switch (kind)
        {
            case "ServiceAccount":
                if (name.Length > 0) foreach (var message in NameFormats.Dns1123Subdomain(name)) errors.Add(FieldError.Invalid(path + ".name", name, message));
                if (apiGroup.Length > 0) errors.Add(FieldError.NotSupported(path + ".apiGroup", apiGroup, [""]));
                if (!Definition.Namespaced && string.IsNullOrEmpty(JsonRead.Str(subject, "namespace"))) errors.Add(FieldError.Required(path + ".namespace"));
                break;
            case "User" or "Group":
                if (apiGroup != RbacGroup) errors.Add(FieldError.NotSupported(path + ".apiGroup", apiGroup, [RbacGroup]));
                break;
            default:
                errors.Add(FieldError.NotSupported(path + ".kind", kind, ["ServiceAccount", "User", "Group"]));
                break;
        }
    }
}
