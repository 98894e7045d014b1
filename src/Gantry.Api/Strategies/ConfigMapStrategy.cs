using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>ConfigMaps: key rules across data and binaryData, the 1 MiB size limit, immutability.</summary>
internal sealed class ConfigMapStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var data = JsonRead.Obj(obj, "data");
        var binary = JsonRead.Obj(obj, "binaryData");
        long total = 0;
        foreach (var (key, value) in JsonRead.StringMap(data))
        {
            foreach (var message in NameFormats.ConfigMapKey(key)) errors.Add(FieldError.Invalid($"data[{key}]", key, message));
            if (binary?.ContainsKey(key) == true) errors.Add(FieldError.Invalid($"data[{key}]", key, "duplicate of key present in binaryData"));
            total += System.Text.Encoding.UTF8.GetByteCount(value);
        }
        foreach (var (key, value) in JsonRead.StringMap(binary))
        {
            foreach (var message in NameFormats.ConfigMapKey(key)) errors.Add(FieldError.Invalid($"binaryData[{key}]", key, message));
            if (data?.ContainsKey(key) == true) errors.Add(FieldError.Invalid($"binaryData[{key}]", key, "duplicate of key present in data"));
            total += value.Length / 4 * 3;
        }
        // Kubernetes reports the whole object with an empty path, which prints as "[]".
        if (total > SecretStrategy.MaxSize) errors.Add(FieldError.TooLong("[]", SecretStrategy.MaxSize));
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        SecretStrategy.ImmutableFlag(obj, old, ["data", "binaryData"], errors);
        ValidateObject(obj, errors);
    }
}
