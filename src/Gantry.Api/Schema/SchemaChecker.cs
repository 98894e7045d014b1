using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gantry.Api.Schema;

/// <summary>
/// Strict field validation and pruning of a written object against its kind's schema, as Kubernetes does when it
/// decodes JSON into Go structs: unknown fields are removed (and reported for <c>fieldValidation=Strict|Warn</c>),
/// values of the wrong type are reported like encoding/json reports them.
/// </summary>
public static partial class SchemaChecker
{
    /// <summary>Nesting the walk follows at most; the built-in schemas are far shallower, so only hostile input hits it.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Walks <paramref name="obj"/> against the schema of <paramref name="apiVersion"/>/<paramref name="kind"/>, removing
    /// unknown fields in place. Kinds without a model type are not checked (empty report). <c>null</c> is accepted
    /// anywhere (it means unset). With <paramref name="members"/>, only those top-level members are walked: the caller
    /// knows the others are as a checked write stored them.
    /// </summary>
    public static SchemaReport Check(JsonObject obj, string apiVersion, string kind, IReadOnlyCollection<string>? members = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        if (SchemaTree.For(group, version, kind) is not { } root) return SchemaReport.Empty;
        // One walker per thread, reused: its path stack is the only allocation a clean check would make.
        var walk = t_walk ?? new Walk();
        t_walk = null;
        try
        {
            walk.Struct(obj, root, 0, members);
            return walk.Unknown is null && walk.Errors is null
                ? SchemaReport.Empty
                : new SchemaReport(walk.Unknown ?? [], walk.Errors ?? []);
        }
        finally
        {
            walk.Reset();
            t_walk = walk;
        }
    }

    [ThreadStatic]
    private static Walk? t_walk;

    [GeneratedRegex("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")]
    private static partial Regex QuantitySyntax();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial Regex Rfc3339();

    /// <summary>The state of one check: the path to the current value (built into text only when reporting).</summary>
    private sealed class Walk
    {
        private readonly List<(string? Name, int Index)> _path = [];
        private string _struct = "";

        public List<string>? Unknown { get; private set; }
        public List<string>? Errors { get; private set; }

        public void Reset()
        {
            _path.Clear();
            _struct = "";
            Unknown = null;
            Errors = null;
        }

        public void Struct(JsonObject obj, SchemaNode node, int depth, IReadOnlyCollection<string>? only = null)
        {
            var properties = node.Properties!;
            List<string>? unknown = null;
            var outer = _struct;
            // Indexed access: enumerating a JsonObject boxes an enumerator per object, and every write passes here.
            for (var i = 0; i < obj.Count; i++)
            {
                var (name, value) = obj.GetAt(i);
                if (only is not null && !only.Contains(name)) continue;
                if (!properties.TryGetValue(name, out var field))
                {
                    (unknown ??= []).Add(name);
                    continue;
                }
                _struct = node.StructName!;
                _path.Add((name, -1));
                Value(value, field, depth + 1);
                _path.RemoveAt(_path.Count - 1);
            }
            _struct = outer;
            if (unknown is null) return;
            foreach (var name in unknown)
            {
                obj.Remove(name);
                _path.Add((name, -1));
                (Unknown ??= []).Add(Path(withIndexes: true));
                _path.RemoveAt(_path.Count - 1);
            }
        }

        private void Value(JsonNode? value, SchemaNode node, int depth)
        {
            if (value is null) return;
            if (depth > MaxDepth)
            {
                Fail($"json: exceeded max depth {MaxDepth} at {Path(withIndexes: true)}");
                return;
            }
            var kind = value.GetValueKind();
            switch (node.Kind)
            {
                case SchemaNodeKind.Object when value is JsonObject o:
                    Struct(o, node, depth);
                    return;
                case SchemaNodeKind.Array when value is JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        _path.Add((null, i));
                        Value(a[i], node.Element!, depth + 1);
                        _path.RemoveAt(_path.Count - 1);
                    }
                    return;
                case SchemaNodeKind.Map when value is JsonObject m:
                    for (var i = 0; i < m.Count; i++)
                    {
                        var (key, item) = m.GetAt(i);
                        _path.Add((key, -2));
                        Value(item, node.Element!, depth + 1);
                        _path.RemoveAt(_path.Count - 1);
                    }
                    return;
                case SchemaNodeKind.Any:
                case SchemaNodeKind.String when kind == JsonValueKind.String:
                case SchemaNodeKind.Boolean when kind is JsonValueKind.True or JsonValueKind.False:
                case SchemaNodeKind.Number when kind == JsonValueKind.Number:
                    return;
                case SchemaNodeKind.Int32 or SchemaNodeKind.Int64 when kind == JsonValueKind.Number:
                    if (!InRange(value.AsValue(), node.Kind)) Mismatch(value, node, "number " + value.ToJsonString());
                    return;
                case SchemaNodeKind.IntOrString when kind == JsonValueKind.String:
                    return;
                case SchemaNodeKind.IntOrString when kind == JsonValueKind.Number:
                    if (!InRange(value.AsValue(), SchemaNodeKind.Int32)) Mismatch(value, node, "number " + value.ToJsonString());
                    return;
                case SchemaNodeKind.Quantity when kind == JsonValueKind.Number:
                    return;
                case SchemaNodeKind.Quantity when kind == JsonValueKind.String:
                    if (!QuantitySyntax().IsMatch(value.GetValue<string>()))
                        Fail($"quantities must match the regular expression '{QuantitySyntax()}' ({Field()})");
                    return;
                case SchemaNodeKind.Time when kind == JsonValueKind.String:
                    var time = value.GetValue<string>();
                    if (!Rfc3339().IsMatch(time) || !DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                        Fail($"parsing time \"{time}\" as \"2006-01-02T15:04:05Z07:00\": not RFC 3339 ({Field()})");
                    return;
                case SchemaNodeKind.Bytes when kind == JsonValueKind.String:
                    if (!Base64.IsValid(value.GetValue<string>()))
                        Fail($"illegal base64 data in Go struct field {Field()} of type {node.GoType}");
                    return;
                default:
                    Mismatch(value, node, Word(kind));
                    return;
            }
        }

        private static bool InRange(JsonValue value, SchemaNodeKind kind)
        {
            if (!value.TryGetValue(out long n) && !TryOtherInteger(value, out n)) return false;
            return kind != SchemaNodeKind.Int32 || n is >= int.MinValue and <= int.MaxValue;
        }

        // Values built in code rather than parsed hold a CLR number that TryGetValue<long> only matches exactly.
        private static bool TryOtherInteger(JsonValue value, out long n)
        {
            if (value.TryGetValue(out int i)) { n = i; return true; }
            return long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n);
        }

        private static string Word(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            _ => "bool",
        };

        private void Mismatch(JsonNode value, SchemaNode node, string what) =>
            Fail($"json: cannot unmarshal {what} into Go struct field {Field()} of type {node.GoType}");

        private void Fail(string message) => (Errors ??= []).Add(message);

        // encoding/json names the innermost struct and the field names from the root, without indexes or map keys.
        private string Field() => _struct + "." + Path(withIndexes: false);

        private string Path(bool withIndexes)
        {
            var sb = new StringBuilder();
            foreach (var (name, index) in _path)
            {
                if (index >= 0)
                {
                    if (withIndexes) sb.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                    continue;
                }
                if (index == -2 && !withIndexes) continue;
                if (sb.Length > 0) sb.Append('.');
                sb.Append(name);
            }
            return sb.ToString();
        }
    }
}
