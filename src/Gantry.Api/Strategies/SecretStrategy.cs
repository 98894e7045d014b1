using System.Text;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>Secrets: stringData folded into data, type Opaque by default, key, size and per-type rules, immutability.</summary>
internal sealed class SecretStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    /// <summary>The size limit of a Secret's or ConfigMap's data (1 MiB).</summary>
    internal const int MaxSize = 1024 * 1024;

    public override void ApplyDefaults(JsonObject obj) => JsonRead.DefaultString(obj, "type", "Opaque");

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        FoldStringData(obj);
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        FoldStringData(obj);
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var data = JsonRead.Obj(obj, "data");
        long total = 0;
        foreach (var (key, node) in data ?? [])
        {
            foreach (var message in NameFormats.ConfigMapKey(key)) errors.Add(FieldError.Invalid($"data[{key}]", key, message));
            var encoded = JsonRead.AsString(node) ?? "";
            var buffer = new byte[encoded.Length];
            if (Convert.TryFromBase64String(encoded, buffer, out var length)) total += length;
            else errors.Add(FieldError.Invalid($"data[{key}]", "<secret contents redacted>", "illegal base64 data"));
        }
        if (total > MaxSize) errors.Add(FieldError.TooLong("data", MaxSize));
        var has = (string key) => data?.ContainsKey(key) == true;
        switch (JsonRead.Str(obj, "type"))
        {
            case "kubernetes.io/service-account-token":
                if (string.IsNullOrEmpty(JsonRead.Str(JsonRead.Obj(JsonRead.Obj(obj, "metadata"), "annotations"), "kubernetes.io/service-account.name")))
                    errors.Add(FieldError.Required("metadata.annotations[kubernetes.io/service-account.name]"));
                break;
            case "kubernetes.io/dockercfg":
                RequireJson(data, ".dockercfg", errors);
                break;
            case "kubernetes.io/dockerconfigjson":
                RequireJson(data, ".dockerconfigjson", errors);
                break;
            case "kubernetes.io/basic-auth":
                if (!has("username") && !has("password"))
                {
                    errors.Add(FieldError.Required("data[username]"));
                    errors.Add(FieldError.Required("data[password]"));
                }
                break;
            case "kubernetes.io/ssh-auth":
                if (string.IsNullOrEmpty(JsonRead.Str(data, "ssh-privatekey"))) errors.Add(FieldError.Required("data[ssh-privatekey]"));
                break;
            case "kubernetes.io/tls":
                if (!has("tls.crt")) errors.Add(FieldError.Required("data[tls.crt]"));
                if (!has("tls.key")) errors.Add(FieldError.Required("data[tls.key]"));
                break;
        }
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Immutable(JsonRead.Str(obj, "type"), JsonRead.Str(old, "type"), "type", errors);
        ImmutableFlag(obj, old, ["data"], errors);
        ValidateObject(obj, errors);
    }

    /// <summary>Once <c>immutable: true</c> is set, the flag and the listed data fields may not change (Secrets and ConfigMaps).</summary>
    internal static void ImmutableFlag(JsonObject obj, JsonObject old, string[] dataFields, List<FieldError> errors)
    {
        if (JsonRead.Bool(old, "immutable") != true) return;
        const string detail = "field is immutable when `immutable` is set";
        if (JsonRead.Bool(obj, "immutable") != true) errors.Add(FieldError.Forbidden("immutable", detail));
        foreach (var field in dataFields)
            if (!JsonSemantics.Equal(EmptyAsNull(obj[field]), EmptyAsNull(old[field]))) errors.Add(FieldError.Forbidden(field, detail));
    }

    private static JsonNode? EmptyAsNull(JsonNode? node) => node is JsonObject { Count: 0 } ? null : node;

    private static void RequireJson(JsonObject? data, string key, List<FieldError> errors)
    {
        if (data?.ContainsKey(key) != true)
        {
            errors.Add(FieldError.Required($"data[{key}]"));
            return;
        }
        try
        {
            var bytes = Convert.FromBase64String(JsonRead.Str(data, key) ?? "");
            if (JsonNode.Parse(bytes) is not JsonObject) throw new System.Text.Json.JsonException("json: cannot unmarshal into Go value of type map[string]interface {}");
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            errors.Add(FieldError.Invalid($"data[{key}]", "<secret contents redacted>", e.Message));
        }
    }

    // The v1 API's write-only stringData overrides data keys; Kubernetes merges it during conversion and never stores it.
    private static void FoldStringData(JsonObject obj)
    {
        if (JsonRead.Obj(obj, "stringData") is not { } stringData)
        {
            obj.Remove("stringData");
            return;
        }
        var data = JsonRead.Child(obj, "data");
        foreach (var (key, value) in stringData)
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonRead.AsString(value) ?? ""));
        obj.Remove("stringData");
    }
}
