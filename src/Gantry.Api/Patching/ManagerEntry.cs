using System.Globalization;
using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>One <c>metadata.managedFields</c> entry: a manager, how it wrote, and the fields it owns.</summary>
internal sealed class ManagerEntry
{
    /// <summary>The operation of server-side apply.</summary>
    public const string ApplyOperation = "Apply";

    /// <summary>The field manager name.</summary>
    public required string Manager { get; init; }

    /// <summary>"Apply" or "Update".</summary>
    public required string Operation { get; init; }

    /// <summary>The apiVersion the fields were written with.</summary>
    public required string ApiVersion { get; set; }

    /// <summary>The RFC 3339 time of the last write that changed the entry, or null.</summary>
    public string? Time { get; set; }

    /// <summary>The subresource written through, or null for the main resource.</summary>
    public string? Subresource { get; init; }

    private FieldSet? _fields;
    // The stored fieldsV1 of an entry read lazily, until something needs its fields as a set.
    private JsonObject? _stored;

    /// <summary>The owned fields.</summary>
    public FieldSet Fields
    {
        get => _fields ??= FieldSet.FromFieldsV1(_stored);
        set
        {
            _fields = value;
            _stored = null;
        }
    }

    /// <summary>True when the entry owns no field.</summary>
    public bool IsEmpty => _fields is null ? _stored is not { Count: > 0 } : _fields.IsEmpty;

    /// <summary>
    /// True when the entry, still unparsed, owns nothing under the top-level fields that <paramref name="set"/> has
    /// members in (a status write against an entry owning only metadata and spec). False means "maybe".
    /// </summary>
    public bool Disjoint(FieldSet set)
    {
        if (_fields is not null || _stored is null) return false;
        foreach (var (element, _) in _stored)
            if (element == "." || set.HasChild(element)) return false;
        return true;
    }

    /// <summary>
    /// True when both entries are the same manager: applies are one manager per name, updates one per name and
    /// apiVersion (as Kubernetes keys them).
    /// </summary>
    public bool SameManager(ManagerEntry other) =>
        Manager == other.Manager && Operation == other.Operation && Subresource == other.Subresource
        && (Operation == ApplyOperation || ApiVersion == other.ApiVersion);

    /// <summary>How conflict messages name the manager: <c>"kubectl-create" using apps/v1</c>.</summary>
    public string Describe()
    {
        var text = $"\"{Manager}\"";
        if (!string.IsNullOrEmpty(Subresource)) text += $" with subresource \"{Subresource}\"";
        return Operation == ApplyOperation ? text : $"{text} using {ApiVersion}";
    }

    /// <summary>Formats a time the way Kubernetes serializes metav1.Time.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The entries of an object's <c>metadata.managedFields</c> (entries in another format are skipped). With
    /// <paramref name="lazy"/>, for entries this server wrote (so already in <see cref="FieldSet.ToFieldsV1"/> form),
    /// each entry's fields are parsed only when used, and an entry never parsed is written back as it was read.
    /// </summary>
    public static List<ManagerEntry> Read(JsonObject? obj, bool lazy = false)
    {
        var entries = new List<ManagerEntry>();
        if (obj?["metadata"]?["managedFields"] is not JsonArray list) return entries;
        foreach (var node in list)
        {
            if (node is not JsonObject e || Text(e, "manager") is not { } manager || Text(e, "operation") is not { } operation) continue;
            if (Text(e, "fieldsType") is { } type && type != "FieldsV1") continue;
            entries.Add(new ManagerEntry
            {
                Manager = manager,
                Operation = operation,
                ApiVersion = Text(e, "apiVersion") ?? "",
                Time = Text(e, "time"),
                Subresource = Text(e, "subresource"),
                _stored = e["fieldsV1"] as JsonObject,
                _fields = lazy ? null : FieldSet.FromFieldsV1(e["fieldsV1"] as JsonObject),
            });
        }
        return entries;
    }

    /// <summary>Stores the non-empty entries in Kubernetes' order (operation, time, manager, apiVersion).</summary>
    public static void Write(JsonObject obj, IEnumerable<ManagerEntry> entries)
    {
        var sorted = entries.Where(e => !e.IsEmpty).ToList();
        // Most objects have one manager, which needs no (stable) sort.
        if (sorted.Count > 1) sorted = [.. sorted.OrderBy(e => e, EntryOrder)];
        if (obj["metadata"] is not JsonObject metadata) obj["metadata"] = metadata = new JsonObject();
        if (sorted.Count == 0)
        {
            metadata.Remove("managedFields");
            return;
        }
        var list = new JsonArray();
        foreach (var e in sorted)
        {
            var json = new JsonObject { ["manager"] = e.Manager, ["operation"] = e.Operation, ["apiVersion"] = e.ApiVersion };
            if (e.Time is not null) json["time"] = e.Time;
            json["fieldsType"] = "FieldsV1";
            json["fieldsV1"] = e._fields is null && e._stored is not null ? e._stored.DeepClone() : e.Fields.ToFieldsV1();
            if (!string.IsNullOrEmpty(e.Subresource)) json["subresource"] = e.Subresource;
            list.Add((JsonNode)json);
        }
        metadata["managedFields"] = list;
    }

    private static readonly IComparer<ManagerEntry> EntryOrder = Comparer<ManagerEntry>.Create(Order);

    private static int Order(ManagerEntry a, ManagerEntry b)
    {
        var order = string.CompareOrdinal(a.Operation, b.Operation);
        if (order == 0) order = string.CompareOrdinal(a.Time ?? "", b.Time ?? "");
        if (order == 0) order = string.CompareOrdinal(a.Manager, b.Manager);
        if (order == 0) order = string.CompareOrdinal(a.ApiVersion, b.ApiVersion);
        if (order == 0) order = string.CompareOrdinal(a.Subresource ?? "", b.Subresource ?? "");
        return order;
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
