using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>LimitRanges: container defaults derived from max and min; min &lt;= default request &lt;= default &lt;= max.</summary>
internal sealed class LimitRangeStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private static readonly string[] Types = ["Container", "PersistentVolumeClaim", "Pod"];

    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var (_, limit) in JsonRead.Items(JsonRead.Arr(JsonRead.Obj(obj, "spec"), "limits")))
        {
            if (JsonRead.Str(limit, "type") != "Container") continue;
            // A default limit comes from max; a default request from the default limit, else from min.
            CopyMissing(JsonRead.Obj(limit, "max"), limit, "default");
            CopyMissing(JsonRead.Obj(limit, "default"), limit, "defaultRequest");
            CopyMissing(JsonRead.Obj(limit, "min"), limit, "defaultRequest");
        }
    }

    private static void CopyMissing(JsonObject? from, JsonObject limit, string target)
    {
        if (from is not { Count: > 0 }) return;
        var to = JsonRead.Child(limit, target);
        foreach (var (name, value) in from)
            if (!to.ContainsKey(name)) to[name] = value?.DeepClone();
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var seenTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, limit) in JsonRead.Items(JsonRead.Arr(JsonRead.Obj(obj, "spec"), "limits")))
        {
            var at = $"spec.limits[{i}]";
            var type = JsonRead.Str(limit, "type") ?? "";
            if (!Types.Contains(type) && !type.Contains('/')) errors.Add(FieldError.NotSupported(at + ".type", type, Types));
            if (!seenTypes.Add(type)) errors.Add(FieldError.Duplicate(at + ".type", type));
            var min = Amounts(JsonRead.Obj(limit, "min"));
            var max = Amounts(JsonRead.Obj(limit, "max"));
            var defaults = Amounts(JsonRead.Obj(limit, "default"));
            var requests = Amounts(JsonRead.Obj(limit, "defaultRequest"));
            foreach (var name in min.Keys.Union(max.Keys).Union(defaults.Keys).Union(requests.Keys))
            {
                var path = $"{at}[{name}]";
                if (Compare(min, max, name) is var (lo, hi) && lo.Value > hi.Value)
                    errors.Add(FieldError.Invalid(path, lo.Text, $"min value {lo.Text} is greater than max value {hi.Text}"));
                if (Compare(requests, defaults, name) is var (request, limitValue) && request.Value > limitValue.Value)
                    errors.Add(FieldError.Invalid(path, request.Text, $"default request value {request.Text} is greater than default limit value {limitValue.Text}"));
                if (Compare(defaults, max, name) is var (def, maximum) && def.Value > maximum.Value)
                    errors.Add(FieldError.Invalid(path, def.Text, $"default value {def.Text} is greater than max value {maximum.Text}"));
                if (Compare(min, requests, name) is var (minimum, req) && minimum.Value > req.Value)
                    errors.Add(FieldError.Invalid(path, minimum.Text, $"min value {minimum.Text} is greater than default request value {req.Text}"));
            }
        }
    }

    private static ((string Text, decimal Value), (string Text, decimal Value))? Compare(
        Dictionary<string, (string Text, decimal Value)> a, Dictionary<string, (string Text, decimal Value)> b, string name) =>
        a.TryGetValue(name, out var x) && b.TryGetValue(name, out var y) ? (x, y) : null;

    private static Dictionary<string, (string Text, decimal Value)> Amounts(JsonObject? list)
    {
        var amounts = new Dictionary<string, (string, decimal)>(StringComparer.Ordinal);
        foreach (var (name, node) in list ?? [])
        {
            var text = JsonRead.AsString(node) ?? node?.ToJsonString() ?? "";
            if (Quantity.TryParse(text, out var value)) amounts[name] = (text, value);
        }
        return amounts;
    }
}
