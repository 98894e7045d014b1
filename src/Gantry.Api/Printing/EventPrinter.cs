using System.Text.Json.Nodes;

namespace Gantry.Api.Printing;

/// <summary>
/// The event table (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide: SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME).
/// Reads both core/v1 events and events.k8s.io/v1 ones, which rename fields (regarding, note, deprecated*).
/// </summary>
internal static class EventPrinter
{
    public static IResourcePrinter Create() => new TablePrinter(
    [
        Col.Text("Last Seen", ColumnDescriptions.EventLastTimestamp),
        Col.Text("Type", ColumnDescriptions.EventType),
        Col.Text("Reason", ColumnDescriptions.EventReason),
        Col.Text("Object", ColumnDescriptions.EventInvolvedObject),
        Col.Wide("Subobject", ColumnDescriptions.EventFieldPath),
        Col.Wide("Source", ColumnDescriptions.EventSource),
        Col.Text("Message", ColumnDescriptions.EventMessage),
        Col.Wide("First Seen", ColumnDescriptions.EventFirstTimestamp),
        Col.Wide("Count", ColumnDescriptions.EventCount),
        new("Name", "string", "name", ColumnDescriptions.Name, 1),
    ], Cells);

    private static JsonNode?[] Cells(JsonObject ev, DateTimeOffset now)
    {
        var firstTimestamp = Either(ev, "firstTimestamp", "deprecatedFirstTimestamp");
        var first = firstTimestamp is null ? Age.Since(JsonRead.Time(ev, "eventTime"), now) : Age.Since(firstTimestamp, now);
        var lastTimestamp = Either(ev, "lastTimestamp", "deprecatedLastTimestamp");
        var last = lastTimestamp is null ? first : Age.Since(lastTimestamp, now);

        var count = JsonRead.Long(ev, "count") ?? JsonRead.Int(ev, "deprecatedCount");
        if (JsonRead.Obj(ev, "series") is { } series)
        {
            last = Age.Since(JsonRead.Time(series, "lastObservedTime"), now);
            count = JsonRead.Int(series, "count");
        }
        else if (count == 0)
        {
            // Singleton events of the new API carry no count.
            count = 1;
        }

        var regarding = JsonRead.Obj(ev, "involvedObject") ?? JsonRead.Obj(ev, "regarding");
        var kind = JsonRead.Text(regarding, "kind").ToLowerInvariant();
        var name = JsonRead.Text(regarding, "name");
        var source = JsonRead.Obj(ev, "source") ?? JsonRead.Obj(ev, "deprecatedSource");
        var component = FirstNonEmpty(JsonRead.Text(source, "component"), JsonRead.Text(ev, "reportingComponent"), JsonRead.Text(ev, "reportingController"));
        var instance = FirstNonEmpty(JsonRead.Text(source, "host"), JsonRead.Text(ev, "reportingInstance"));
        return
        [
            last, JsonRead.Text(ev, "type"), JsonRead.Text(ev, "reason"),
            name.Length > 0 ? $"{kind}/{name}" : kind,
            JsonRead.Text(regarding, "fieldPath"),
            instance.Length == 0 ? component : $"{component}, {instance}",
            (JsonRead.Str(ev, "message") ?? JsonRead.Text(ev, "note")).Trim(),
            first, count, Col.NameOf(ev),
        ];
    }

    private static DateTimeOffset? Either(JsonObject ev, string core, string events) => JsonRead.Time(ev, core) ?? JsonRead.Time(ev, events);

    private static string FirstNonEmpty(params string[] values) => values.FirstOrDefault(v => v.Length > 0) ?? "";
}
