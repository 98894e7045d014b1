using System.Text.Json.Nodes;

namespace Gantry.Api.Conversion;

/// <summary>Placeholder replaced by the strategies branch: core/v1 Event &lt;-&gt; events.k8s.io/v1 Event.</summary>
public static class EventConversion
{
    /// <summary>core/v1 -> events.k8s.io/v1.</summary>
    public static JsonObject ToEventsV1(JsonObject coreEvent) => coreEvent;

    /// <summary>events.k8s.io/v1 -> core/v1.</summary>
    public static JsonObject ToCoreV1(JsonObject eventsEvent) => eventsEvent;
}
