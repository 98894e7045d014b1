using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;
using Gantry.Storage;

namespace Gantry.ApiServer.Admission;

/// <summary>
/// Kubernetes' Priority admission (plugin/pkg/admission/priority): a new pod gets spec.priority and
/// spec.preemptionPolicy from its PriorityClass (or the global default class, or priority 0), a pod update keeps them,
/// and at most one PriorityClass may be the global default. The built-in system classes are created at start and cannot
/// be deleted.
/// </summary>
public sealed class PriorityAdmission(IStore store)
{
    /// <summary>The preemption policy of pods without a class when no global default exists.</summary>
    public const string DefaultPreemptionPolicy = "PreemptLowerPriority";

    /// <summary>The classes the API server bootstraps, as Kubernetes' SystemPriorityClasses.</summary>
    public static readonly IReadOnlyList<(string Name, int Value, string Description)> SystemClasses =
    [
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    private static readonly ResourceDefinition PriorityClasses = ResourceRegistry.BuiltIn.Find("scheduling.k8s.io", "v1", "priorityclasses")!;

    // What admission reads of each stored class version, by key. Every pod create reads the classes (the global default
    // for a pod that names none), and decoding each class for each pod was ~5% of a pod create's server time; as
    // Kubernetes' admission reads them from an informer's lister. Kept exact by the stored version: a class written
    // since is decoded again.
    private readonly ConcurrentDictionary<string, ClassFacts> _classes = new(StringComparer.Ordinal);

    /// <summary>
    /// Admits a create: resolves a pod's priority (<paramref name="name"/> is the pod's name, or its generateName
    /// before a name is generated, for the error message) or checks a PriorityClass's globalDefault.
    /// </summary>
    public Task AdmitCreateAsync(ResourceDefinition def, JsonObject obj, string name, CancellationToken cancellationToken)
    {
        if (IsPods(def)) return AdmitPodCreateAsync(obj, name, cancellationToken);
        if (IsPriorityClasses(def)) return ValidatePriorityClassAsync(obj, update: false, cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>Admits an update of the main resource (subresources are not admitted, as upstream).</summary>
    public Task AdmitUpdateAsync(ResourceDefinition def, JsonObject obj, JsonObject old, CancellationToken cancellationToken)
    {
        if (IsPods(def))
        {
            KeepPodPriority(obj, old);
            return Task.CompletedTask;
        }
        return IsPriorityClasses(def) ? ValidatePriorityClassAsync(obj, update: true, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>The system priority classes cannot be deleted (as the priorityclasses registry refuses it).</summary>
    public static void AdmitDelete(ResourceDefinition def, string name)
    {
        if (IsPriorityClasses(def) && SystemClasses.Any(c => c.Name == name))
            throw Forbidden("priorityclasses.scheduling.k8s.io", name, "this is a system priority class and cannot be deleted");
    }

    /// <summary>Creates the system priority classes that are missing (the apiserver's scheduling bootstrap).</summary>
    public static async Task EnsureSystemClassesAsync(ResourceService service, CancellationToken cancellationToken)
    {
        foreach (var (name, value, description) in SystemClasses)
        {
            var obj = new JsonObject
            {
                ["apiVersion"] = "scheduling.k8s.io/v1",
                ["kind"] = "PriorityClass",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["value"] = value,
                ["description"] = description,
            };
            try
            {
                await service.CreateAsync(PriorityClasses, null, obj, new WriteOptions { FieldManager = "kube-apiserver" }, cancellationToken);
            }
            catch (ApiException ex) when (ex.Code == 409)
            {
            }
        }
    }

    private async Task AdmitPodCreateAsync(JsonObject pod, string name, CancellationToken cancellationToken)
    {
        if (pod["spec"] is not JsonObject spec) return;
        var className = Str(spec["priorityClassName"]) ?? "";
        long priority;
        string? policy;
        if (className.Length == 0)
        {
            var globalDefault = await GlobalDefaultAsync(cancellationToken);
            priority = globalDefault?.Value ?? 0;
            policy = globalDefault is null ? DefaultPreemptionPolicy : globalDefault.PreemptionPolicy;
            if (globalDefault is not null) spec["priorityClassName"] = globalDefault.Name;
        }
        else
        {
            var stored = await store.GetAsync(PriorityClasses.KeyFor(null, className), cancellationToken)
                ?? throw Forbidden("pods", name, $"no PriorityClass with name {className} was found");
            var priorityClass = Facts(stored);
            priority = priorityClass.Value;
            policy = priorityClass.PreemptionPolicy;
        }
        if (Long(spec["priority"]) is { } requested && requested != priority)
            throw Forbidden("pods", name,
                $"the integer value of priority ({requested}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        spec["priority"] = priority;
        if (policy is null) return;
        if (Str(spec["preemptionPolicy"]) is { } givenPolicy && givenPolicy != policy)
            throw Forbidden("pods", name,
                $"the string value of PreemptionPolicy ({givenPolicy}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
        spec["preemptionPolicy"] = policy;
    }

    /// <summary>The priority was set at creation; an update that leaves it out (kubectl replace) keeps it.</summary>
    private static void KeepPodPriority(JsonObject pod, JsonObject old)
    {
        if (pod["spec"] is not JsonObject spec || old["spec"] is not JsonObject oldSpec) return;
        foreach (var field in new[] { "priority", "preemptionPolicy" })
        {
            if (spec[field] is null && oldSpec[field] is { } value) spec[field] = value.DeepClone();
        }
    }

    private async Task ValidatePriorityClassAsync(JsonObject priorityClass, bool update, CancellationToken cancellationToken)
    {
        if (priorityClass["globalDefault"] is not JsonValue flag || !flag.TryGetValue<bool>(out var isDefault) || !isDefault) return;
        var name = ObjectMeta.Get(priorityClass, "name") ?? "";
        var existing = await GlobalDefaultAsync(cancellationToken);
        if (existing is null) return;
        var existingName = existing.Name;
        if (!update || existingName != name)
            throw Forbidden("priorityclasses.scheduling.k8s.io", name, $"PriorityClass {existingName} is already marked as default. Only one default can exist");
    }

    /// <summary>The global default class; if a race left several, the one of lowest value (as upstream).</summary>
    private async Task<ClassFacts?> GlobalDefaultAsync(CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(PriorityClasses.PrefixFor(null), ListRequest.All, cancellationToken);
        ClassFacts? best = null;
        foreach (var item in list.Items)
        {
            var priorityClass = Facts(item);
            if (!priorityClass.GlobalDefault) continue;
            if (best is null || priorityClass.Value < best.Value) best = priorityClass;
        }
        // Forget deleted classes (the cache holds at most what was stored at once, plus what this list no longer has).
        if (_classes.Count > list.Items.Count)
        {
            foreach (var key in _classes.Keys)
            {
                if (!list.Items.Any(i => i.Key == key)) _classes.TryRemove(key, out _);
            }
        }
        return best;
    }

    /// <summary>What admission reads of one stored class version, decoded once per version.</summary>
    private ClassFacts Facts(StoredValue stored)
    {
        if (_classes.TryGetValue(stored.Key, out var cached) && cached.ModRevision == stored.ModRevision) return cached;
        var priorityClass = ResourceService.Decode(stored);
        var isDefault = priorityClass["globalDefault"] is JsonValue v && v.TryGetValue<bool>(out var flag) && flag;
        var facts = new ClassFacts(stored.ModRevision, ObjectMeta.Get(priorityClass, "name") ?? "", Value(priorityClass),
            Str(priorityClass["preemptionPolicy"]), isDefault);
        _classes[stored.Key] = facts;
        return facts;
    }

    private static ApiException Forbidden(string qualifiedResource, string name, string message)
    {
        var dot = qualifiedResource.IndexOf('.', StringComparison.Ordinal);
        return ApiException.Forbidden($"{qualifiedResource} \"{name}\" is forbidden: {message}", new JsonObject
        {
            ["name"] = name,
            ["group"] = dot < 0 ? "" : qualifiedResource[(dot + 1)..],
            ["kind"] = dot < 0 ? qualifiedResource : qualifiedResource[..dot],
        });
    }

    private static bool IsPods(ResourceDefinition def) => def.Group.Length == 0 && def.Plural == "pods";

    private static bool IsPriorityClasses(ResourceDefinition def) => def.Group == "scheduling.k8s.io" && def.Plural == "priorityclasses";

    private static long Value(JsonObject priorityClass) => Long(priorityClass["value"]) ?? 0;

    // Parsed bodies hold JSON elements, objects built in code hold CLR numbers: read both.
    private static long? Long(JsonNode? node) => node is not JsonValue v ? null
        : v.TryGetValue<long>(out var l) ? l
        : v.TryGetValue<int>(out var i) ? i
        : v.TryGetValue<double>(out var d) && d == Math.Floor(d) ? (long)d
        : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A stored PriorityClass version as admission reads it.</summary>
    private sealed record ClassFacts(long ModRevision, string Name, long Value, string? PreemptionPolicy, bool GlobalDefault);
}
