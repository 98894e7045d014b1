using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Storage;

namespace Gantry.ApiServer.Admission;

/// <summary>
/// Kubernetes' NamespaceLifecycle admission: no new objects in a missing (404) or terminating (403) namespace, and
/// the system namespaces cannot be deleted.
/// </summary>
public sealed class NamespaceLifecycle(IStore store)
{
    // Whether each namespace is terminating, by the revision it was read at: most creates skip parsing the namespace.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Revision, bool Terminating)> _seen = new();

    /// <summary>Namespaces that always exist and cannot be deleted.</summary>
    public static readonly IReadOnlyList<string> Immortal = ["default", "kube-system", "kube-public"];

    /// <summary>Checks that objects may be created in <paramref name="ns"/>.</summary>
    public async Task AdmitCreateAsync(ResourceDefinition def, string ns, string name, CancellationToken cancellationToken)
    {
        var value = await store.GetAsync("/registry/namespaces/" + ns, cancellationToken)
            ?? throw ApiException.NotFound("", "namespaces", ns);
        bool terminating;
        if (_seen.TryGetValue(ns, out var seen) && seen.Revision == value.ModRevision) terminating = seen.Terminating;
        else
        {
            var obj = JsonNode.Parse(value.Value.Span);
            terminating = obj?["metadata"]?["deletionTimestamp"] is not null || (string?)(obj?["status"]?["phase"] as JsonValue) == "Terminating";
            _seen[ns] = (value.ModRevision, terminating);
        }
        // Events about a terminating namespace's cleanup are still allowed, as in Kubernetes.
        if (terminating && def.Kind != "Event")
            throw ApiException.Forbidden(
                $"{Qualified(def)} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject { ["name"] = name, ["group"] = def.Group, ["kind"] = def.Plural,
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace" }) });
    }

    /// <summary>Refuses deleting the system namespaces.</summary>
    public Task AdmitDeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (Immortal.Contains(name))
            throw ApiException.Forbidden($"namespaces \"{name}\" is forbidden: this namespace may not be deleted",
                new JsonObject { ["name"] = name, ["kind"] = "namespaces" });
        return Task.CompletedTask;
    }

    private static string Qualified(ResourceDefinition def) => def.Group.Length == 0 ? def.Plural : $"{def.Plural}.{def.Group}";
}
