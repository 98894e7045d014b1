using System.Globalization;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gantry.ApiServer.Http;

/// <summary>
/// Converts one YAML document to JSON the way sigs.k8s.io/yaml does for Kubernetes objects, with a budget on the
/// number of nodes produced so alias bombs ("billion laughs") are refused instead of exhausting memory.
/// </summary>
public static class YamlToJson
{
    private const int MaxDepth = 100;

    /// <summary>Parses YAML text; throws a 400 <see cref="ApiException"/> on bad or hostile input.</summary>
    public static JsonNode? Convert(string text, int nodeBudget)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var anchors = new Dictionary<string, JsonNode?>();
            var budget = nodeBudget;
            var node = Read(parser, anchors, ref budget, 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out _)) throw ApiException.BadRequest("the request body contains more than one YAML document");
            return node;
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: {ex.Message}");
        }
    }

    private static JsonNode? Read(IParser parser, Dictionary<string, JsonNode?> anchors, ref int budget, int depth)
    {
        if (depth > MaxDepth) throw ApiException.BadRequest($"error converting YAML to JSON: nesting deeper than {MaxDepth}");
        if (--budget < 0) throw ApiException.BadRequest("error converting YAML to JSON: document expands to too many nodes");
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var target)) throw ApiException.BadRequest($"error converting YAML to JSON: unknown anchor {alias.Value}");
            budget -= CountNodes(target);
            if (budget < 0) throw ApiException.BadRequest("error converting YAML to JSON: document expands to too many nodes");
            return target?.DeepClone();
        }
        JsonNode? result;
        string anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            result = ScalarValue(scalar);
            anchor = scalar.Anchor.IsEmpty ? "" : scalar.Anchor.Value;
        }
        else if (parser.TryConsume<SequenceStart>(out var seq))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _)) array.Add(Read(parser, anchors, ref budget, depth + 1));
            result = array;
            anchor = seq.Anchor.IsEmpty ? "" : seq.Anchor.Value;
        }
        else if (parser.TryConsume<MappingStart>(out var map))
        {
            var obj = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = Read(parser, anchors, ref budget, depth + 1);
                var value = Read(parser, anchors, ref budget, depth + 1);
                var name = key switch
                {
                    null => "null",
                    JsonValue v => v.ToString(),
                    _ => throw ApiException.BadRequest("error converting YAML to JSON: mapping keys must be scalars"),
                };
                if (name == "<<" && value is JsonObject merge)
                {
                    foreach (var (k, v) in merge) if (!obj.ContainsKey(k)) obj[k] = v?.DeepClone();
                    continue;
                }
                obj[name] = value;
            }
            result = obj;
            anchor = map.Anchor.IsEmpty ? "" : map.Anchor.Value;
        }
        else throw ApiException.BadRequest("error converting YAML to JSON: unexpected YAML event");
        if (anchor.Length > 0) anchors[anchor] = result;
        return result;
    }

    private static int CountNodes(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Sum(p => CountNodes(p.Value)),
        JsonArray a => 1 + a.Sum(CountNodes),
        _ => 1,
    };

    /// <summary>Plain scalars are typed (null, booleans including YAML 1.1's yes/no/on/off, numbers); quoted ones are strings.</summary>
    private static JsonNode? ScalarValue(Scalar scalar)
    {
        var v = scalar.Value;
        if (scalar.Style is not ScalarStyle.Plain) return JsonValue.Create(v);
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y": return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N": return JsonValue.Create(false);
        }
        if (LooksNumeric(v))
        {
            if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
            if (v.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(v[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex)) return JsonValue.Create(hex);
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return JsonValue.Create(d);
        }
        return JsonValue.Create(v);
    }

    private static bool LooksNumeric(string v)
    {
        if (v.Length == 0 || v.Length > 40) return false;
        var c = v[0];
        return char.IsAsciiDigit(c) || ((c is '-' or '+' or '.') && v.Length > 1 && (char.IsAsciiDigit(v[1]) || v[1] == '.'));
    }
}
