using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Printing;
using Gantry.Api.Registry;

namespace Gantry.Api.Selectors;

/// <summary>
/// The field selector labels each resource supports and how to read them from an object: Kubernetes'
/// per-kind field label conversions (pkg/apis/*/v1/conversion.go) with the values of its registry strategies'
/// ToSelectableFields. Kinds without their own list accept metadata.name and metadata.namespace only.
/// </summary>
public static class FieldCatalog
{
    private sealed record Entry(IReadOnlyDictionary<string, Func<JsonObject, string?>> Fields, Func<string, string> Reject);

    private static readonly Func<JsonObject, string?> Name = o => JsonRead.Text(o, "metadata.name");
    private static readonly Func<JsonObject, string?> Namespace = o => JsonRead.Text(o, "metadata.namespace");

    private static readonly Entry Default = new(
        new Dictionary<string, Func<JsonObject, string?>> { ["metadata.name"] = Name, ["metadata.namespace"] = Namespace },
        label => $"\"{label}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");

    private static readonly Dictionary<(string Group, string Resource), Entry> Entries = new()
    {
        [("", "pods")] = Supported(namespaced: true, new()
        {
            ["spec.nodeName"] = o => JsonRead.Text(o, "spec.nodeName"),
            // Old v1 clients send spec.host; Kubernetes reads it as spec.nodeName.
            ["spec.host"] = o => JsonRead.Text(o, "spec.nodeName"),
            ["spec.restartPolicy"] = o => JsonRead.Text(o, "spec.restartPolicy"),
            ["spec.schedulerName"] = o => JsonRead.Text(o, "spec.schedulerName"),
            ["spec.serviceAccountName"] = o => JsonRead.Text(o, "spec.serviceAccountName"),
            ["spec.hostNetwork"] = o => Flag(JsonRead.Bool(o, "spec.hostNetwork")),
            ["status.phase"] = o => JsonRead.Text(o, "status.phase"),
            ["status.podIP"] = o => JsonRead.Str(JsonRead.Array(o, "status.podIPs").FirstOrDefault(), "ip") ?? JsonRead.Text(o, "status.podIP"),
            // Accepted by the conversion but never set by PodToSelectableFields, so it always reads "".
            ["status.podIPs"] = _ => "",
            ["status.nominatedNodeName"] = o => JsonRead.Text(o, "status.nominatedNodeName"),
        }),
        [("", "nodes")] = Supported(namespaced: false, new()
        {
            ["spec.unschedulable"] = o => Flag(JsonRead.Bool(o, "spec.unschedulable")),
        }),
        [("", "replicationcontrollers")] = Supported(namespaced: true, new()
        {
            ["status.replicas"] = o => JsonRead.Int(o, "status.replicas").ToString(System.Globalization.CultureInfo.InvariantCulture),
        }),
        [("", "namespaces")] = Supported(namespaced: false, new()
        {
            ["status.phase"] = o => JsonRead.Text(o, "status.phase"),
        }),
        [("", "secrets")] = Supported(namespaced: true, new()
        {
            ["type"] = o => JsonRead.Text(o, "type"),
        }),
        [("", "services")] = Supported(namespaced: true, new()
        {
            ["spec.clusterIP"] = o => JsonRead.Text(o, "spec.clusterIP"),
            ["spec.type"] = o => JsonRead.Text(o, "spec.type"),
        }),
        [("", "events")] = Supported(namespaced: true, new()
        {
            ["involvedObject.kind"] = o => Regarding(o, "kind"),
            ["involvedObject.namespace"] = o => Regarding(o, "namespace"),
            ["involvedObject.name"] = o => Regarding(o, "name"),
            ["involvedObject.uid"] = o => Regarding(o, "uid"),
            ["involvedObject.apiVersion"] = o => Regarding(o, "apiVersion"),
            ["involvedObject.resourceVersion"] = o => Regarding(o, "resourceVersion"),
            ["involvedObject.fieldPath"] = o => Regarding(o, "fieldPath"),
            ["reason"] = o => JsonRead.Text(o, "reason"),
            ["reportingComponent"] = ReportingController,
            ["source"] = EventSource,
            ["type"] = o => JsonRead.Text(o, "type"),
        }),
        // events.k8s.io/v1 shares the core event storage but names the fields as its own schema does.
        [("events.k8s.io", "events")] = Supported(namespaced: true, new()
        {
            ["regarding.kind"] = o => Regarding(o, "kind"),
            ["regarding.namespace"] = o => Regarding(o, "namespace"),
            ["regarding.name"] = o => Regarding(o, "name"),
            ["regarding.uid"] = o => Regarding(o, "uid"),
            ["regarding.apiVersion"] = o => Regarding(o, "apiVersion"),
            ["regarding.resourceVersion"] = o => Regarding(o, "resourceVersion"),
            ["regarding.fieldPath"] = o => Regarding(o, "fieldPath"),
            ["reason"] = o => JsonRead.Text(o, "reason"),
            ["reportingController"] = ReportingController,
            ["source"] = EventSource,
            ["type"] = o => JsonRead.Text(o, "type"),
        }),
        [("batch", "jobs")] = Supported(namespaced: true, new()
        {
            ["status.successful"] = o => JsonRead.Int(o, "status.succeeded").ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, label => $"field label \"{label}\" not supported for Job"),
    };

    /// <summary>The field labels a resource accepts in a field selector, each with the way to read its value.</summary>
    public static IReadOnlyDictionary<string, Func<JsonObject, string?>> For(ResourceDefinition definition) => EntryFor(definition).Fields;

    /// <summary>
    /// The field the watch cache indexes watchers by (Kubernetes' cacher trigger function): a watch selecting one value
    /// of it (every node agent watching its own pods) is only woken by objects with that value, not by every change.
    /// </summary>
    public static string? IndexedField(ResourceDefinition definition) =>
        definition.Group.Length == 0 && definition.Plural == "pods" ? "spec.nodeName" : null;

    /// <summary>
    /// Checks a selector against the resource's fields and returns the predicate that applies it to objects.
    /// </summary>
    /// <exception cref="ApiException">400 BadRequest worded like Kubernetes for a field the resource does not support.</exception>
    public static Func<JsonObject, bool> Matcher(ResourceDefinition definition, FieldSelector selector)
    {
        if (selector.IsEmpty) return _ => true;
        var entry = EntryFor(definition);
        foreach (var requirement in selector.Requirements)
            if (!entry.Fields.ContainsKey(requirement.Field))
                throw ApiException.BadRequest(entry.Reject(requirement.Field));
        return obj => selector.Matches(field => entry.Fields[field](obj));
    }

    private static Entry EntryFor(ResourceDefinition definition) =>
        Entries.GetValueOrDefault((definition.Group, definition.Plural)) ?? Default;

    private static Entry Supported(bool namespaced, Dictionary<string, Func<JsonObject, string?>> fields, Func<string, string>? reject = null)
    {
        fields["metadata.name"] = Name;
        if (namespaced) fields["metadata.namespace"] = Namespace;
        return new Entry(fields, reject ?? (label => "field label not supported: " + label));
    }

    private static string Flag(bool? value) => value == true ? "true" : "false";

    // Core events say involvedObject, events.k8s.io says regarding; read whichever the stored object has.
    private static string Regarding(JsonObject o, string field) =>
        JsonRead.Str(o, "involvedObject." + field) ?? JsonRead.Text(o, "regarding." + field);

    private static string ReportingController(JsonObject o) =>
        JsonRead.Str(o, "reportingComponent") ?? JsonRead.Text(o, "reportingController");

    private static string EventSource(JsonObject o)
    {
        var component = JsonRead.Str(o, "source.component") ?? JsonRead.Str(o, "deprecatedSource.component");
        return string.IsNullOrEmpty(component) ? ReportingController(o) : component;
    }
}
