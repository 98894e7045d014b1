using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.Api.Patching;

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>): merges a manager's configuration into the live object,
/// removes fields the manager applied before and no longer does (unless someone else owns them), and refuses to
/// change fields other managers own unless forced — the structured-merge-diff behaviour behind Kubernetes.
/// </summary>
public static class ServerSideApply
{
    /// <summary>The manager that owns what an object had before its first apply.</summary>
    public const string BeforeFirstApplyManager = "before-first-apply";

    /// <summary>
    /// Applies <paramref name="applied"/> for <paramref name="manager"/> to <paramref name="live"/> (null when the
    /// object does not exist yet). Throws a 409 Conflict listing each conflicting field unless <paramref name="force"/>.
    /// Through the <c>status</c> subresource only status fields are owned.
    /// </summary>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, string apiVersion, string kind, DateTimeOffset now, string? subresource = null)
    {
        if (string.IsNullOrEmpty(manager)) throw ApiException.BadRequest("PATCH, application/apply-patch+yaml requires fieldManager");
        if (applied["metadata"]?["managedFields"] is JsonArray { Count: > 0 })
            throw ApiException.BadRequest("metadata.managedFields must be nil");

        var rootType = PatchSchema.RootType(apiVersion, kind);
        var entries = ManagerEntry.Read(live);
        if (live is not null && entries.Count == 0)
        {
            entries.Add(new ManagerEntry
            {
                Manager = BeforeFirstApplyManager,
                Operation = ManagedFields.UpdateOperation,
                ApiVersion = apiVersion,
                Subresource = subresource,
                Fields = ManagedFields.Tracked(ObjectFields.Of(live, rootType, strict: false), subresource),
            });
        }

        var appliedFields = ManagedFields.Tracked(ObjectFields.Of(applied, rootType, strict: true), subresource);
        var applier = new ManagerEntry { Manager = manager, Operation = ManagerEntry.ApplyOperation, ApiVersion = apiVersion, Subresource = subresource, Fields = new FieldSet() };
        var mine = entries.Find(e => e.SameManager(applier));
        var others = entries.Where(e => e != mine).ToList();

        var merged = ApplyMerger.Merge(live, applied, rootType);
        if (mine is not null) Prune(merged, mine.Fields, appliedFields, others, rootType);

        var comparison = ObjectFields.Compare(live, merged, rootType);
        var changed = ManagedFields.Tracked(comparison.Added.Union(comparison.Modified), subresource);
        var conflicts = others
            .SelectMany(e => e.Fields.Intersection(changed).Members().Select(path => (Entry: e, Path: path)))
            .OrderBy(c => c.Entry.Manager, StringComparer.Ordinal)
            .ThenBy(c => c.Entry.Operation, StringComparer.Ordinal)
            .ThenBy(c => c.Entry.ApiVersion, StringComparer.Ordinal)
            .ToList();
        if (conflicts.Count > 0 && !force) throw Conflict(conflicts);
        // Fields that changed now belong to the applier alone; fields that disappeared belong to nobody.
        foreach (var entry in others) entry.Fields = entry.Fields.Difference(changed).Difference(comparison.Removed);

        if (mine is null)
        {
            mine = applier;
            entries.Add(mine);
        }
        mine.Fields = appliedFields;
        mine.ApiVersion = apiVersion;
        mine.Time = ManagerEntry.FormatTime(now);
        ManagerEntry.Write(merged, entries);

        // Like Kubernetes, an apply that changes nothing (not even ownership) leaves the object as it was.
        if (live is not null && SameIgnoringTimes(live, merged)) return new ApplyResult((JsonObject)live.DeepClone(), false);
        return new ApplyResult(merged, true);
    }

    /// <summary>
    /// Removes the fields the manager applied last time but not now, unless another manager (applier or updater)
    /// owns them or something still owned lies below them.
    /// </summary>
    private static void Prune(JsonObject merged, FieldSet previous, FieldSet applied, List<ManagerEntry> others, string rootType)
    {
        var kept = others.Aggregate(applied, (set, e) => set.Union(e.Fields));
        var dropped = new FieldSet();
        foreach (var path in previous.Members())
            if (!kept.Contains(path) && !kept.HasMembersBelow(path)) dropped.Insert(path);
        ApplyMerger.Remove(merged, dropped, rootType);
    }

    private static bool SameIgnoringTimes(JsonObject live, JsonObject merged)
    {
        static JsonObject WithoutTimes(JsonObject o)
        {
            var copy = (JsonObject)o.DeepClone();
            if (copy["metadata"]?["managedFields"] is JsonArray entries)
                foreach (var entry in entries.OfType<JsonObject>()) entry.Remove("time");
            return copy;
        }
        return JsonNode.DeepEquals(WithoutTimes(live), WithoutTimes(merged));
    }

    /// <summary>The 409 Kubernetes answers, worded like its field manager (one cause per conflicting field).</summary>
    private static ApiException Conflict(List<(ManagerEntry Entry, IReadOnlyList<string> Path)> conflicts)
    {
        var causes = new JsonArray();
        foreach (var (entry, path) in conflicts)
            causes.Add((JsonNode)new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with {entry.Describe()}",
                ["field"] = PathElement.Display(path),
            });
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Entry.Describe()}: {PathElement.Display(conflicts[0].Path)}";
        }
        else
        {
            var lines = conflicts.GroupBy(c => c.Entry).SelectMany(g =>
                new[] { $"conflicts with {g.Key.Describe()}:" }.Concat(g.Select(c => "- " + PathElement.Display(c.Path))));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        return new ApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }
}
