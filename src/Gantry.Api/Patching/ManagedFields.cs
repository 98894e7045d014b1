using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>
/// Keeps <c>metadata.managedFields</c> for ordinary writes (create, update, patch): the writing manager becomes the
/// owner of every field it changed, as Kubernetes records "Update" operations, so that a later server-side apply
/// conflicts where Kubernetes' would.
/// </summary>
public static class ManagedFields
{
    /// <summary>The operation name Kubernetes records for create, update and patch writes.</summary>
    public const string UpdateOperation = "Update";

    /// <summary>Fields no manager ever owns: identity and server-set metadata (status is reset on the main resource).</summary>
    private static readonly FieldSet Untracked = BuildUntracked();

    /// <summary>
    /// Records that <paramref name="manager"/> wrote <paramref name="updated"/> (over <paramref name="old"/>, or
    /// created it when null), updating <paramref name="updated"/>'s managedFields in place. A write through the
    /// <c>status</c> subresource owns only status fields; a write to the main resource never owns status.
    /// </summary>
    public static void RecordUpdate(JsonObject? old, JsonObject updated, string manager, string operation, string apiVersion, DateTimeOffset now, string? subresource = null)
    {
        var rootType = PatchSchema.RootType(apiVersion, (string?)updated["kind"] ?? "");
        var entries = EntriesFor(old, updated);
        FieldSet changed, removed;
        if (old is null)
        {
            changed = Tracked(ObjectFields.Of(updated, rootType, strict: false), subresource);
            removed = new FieldSet();
        }
        else
        {
            var comparison = ObjectFields.Compare(old, updated, rootType);
            changed = Tracked(comparison.Added.Union(comparison.Modified), subresource);
            removed = comparison.Removed;
        }

        var writer = new ManagerEntry { Manager = manager, Operation = operation, ApiVersion = apiVersion, Subresource = subresource, Fields = new FieldSet() };
        var mine = entries.Find(e => e.SameManager(writer));
        if (mine is null)
        {
            mine = writer;
            entries.Add(mine);
        }
        // An ordinary write always wins: whoever owned the fields it changed loses them, and removed fields are
        // nobody's.
        foreach (var entry in entries)
        {
            // An entry owning nothing where this write changed or removed fields stays as stored, unparsed.
            if (entry == mine || entry.IsEmpty || (entry.Disjoint(changed) && entry.Disjoint(removed))) continue;
            entry.Fields = entry.Fields.Difference(changed);
            if (!removed.IsEmpty) entry.Fields = entry.Fields.Difference(removed);
        }
        // A new entry (every create) owns exactly what changed: no copies of the object's field set.
        mine.Fields = mine.Fields.IsEmpty ? changed : mine.Fields.Difference(removed).Union(changed);
        if (!changed.IsEmpty) mine.Time = ManagerEntry.FormatTime(now);
        ManagerEntry.Write(updated, entries);
    }

    /// <summary>
    /// The entries a write starts from: the ones the client sent when it changed them (an empty list resets
    /// ownership), otherwise the stored ones.
    /// </summary>
    private static List<ManagerEntry> EntriesFor(JsonObject? old, JsonObject updated)
    {
        // A null (as an absent) list keeps the stored entries, as Kubernetes decodes it to a nil slice; an empty list resets.
        var sentFields = (updated["metadata"] as JsonObject)?["managedFields"] as JsonArray;
        var sent = sentFields is not null;
        // Clients mostly send back what they read: the text comparison settles that without building both trees.
        var oldFields = old?["metadata"]?["managedFields"];
        if (sent && !JsonText.Same(sentFields, oldFields) && !JsonNode.DeepEquals(sentFields, oldFields))
            return ManagerEntry.Read(updated);
        return ManagerEntry.Read(old, lazy: true);
    }

    /// <summary>
    /// Drops the fields that ownership never covers, and those the subresource written through does not, from
    /// <paramref name="fields"/> (which the caller gives up).
    /// </summary>
    internal static FieldSet Tracked(FieldSet fields, string? subresource)
    {
        var status = PathElement.Field("status");
        if (subresource == "status") return fields.Only(status);
        // Callers pass a set of their own, so it is trimmed in place rather than copied.
        fields.ExceptWith(Untracked);
        fields.RemoveSubtree(status);
        return fields;
    }

    private static FieldSet BuildUntracked()
    {
        var set = new FieldSet();
        set.Insert([PathElement.Field("apiVersion")]);
        set.Insert([PathElement.Field("kind")]);
        set.Insert([PathElement.Field("metadata")]);
        foreach (var name in new[] { "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion" })
            set.Insert([PathElement.Field("metadata"), PathElement.Field(name)]);
        return set;
    }
}
