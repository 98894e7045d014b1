using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>Pods: pod defaults, spec validation, the narrow set of allowed spec updates, Pending status with its QoS class.</summary>
internal sealed class PodStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    public override void ApplyDefaults(JsonObject obj) => PodDefaults.ApplyPod(obj);

    protected override JsonObject? InitialStatus(JsonObject obj) => new() { ["phase"] = "Pending", ["qosClass"] = QosClass(JsonRead.Obj(obj, "spec")) };

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonRead.Obj(obj, "spec");
        PodSpecRules.Validate(spec, "spec", errors);
        // Only on create (ValidatePodCreate): ephemeral containers come through their own subresource later, and a
        // gated pod cannot be bound yet.
        if (JsonRead.Arr(spec, "ephemeralContainers") is { Count: > 0 })
            errors.Add(FieldError.Forbidden("spec.ephemeralContainers", "cannot be set on create"));
        if (!string.IsNullOrEmpty(JsonRead.Str(spec, "nodeName")) && JsonRead.Arr(spec, "schedulingGates") is { Count: > 0 })
            errors.Add(FieldError.Forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
    }

    /// <summary>
    /// As Kubernetes' pod status strategy (ValidatePodStatusUpdate checks metadata, not the spec): the spec is the
    /// stored one, so the spec and update rules, the costliest part of a kubelet's status write, have nothing to find.
    /// </summary>
    public override IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old)
    {
        var errors = new List<FieldError>();
        MetadataRules.ValidateUpdate(obj, old, namespaced: true, errors);
        return errors;
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        PodSpecRules.Validate(JsonRead.Obj(obj, "spec"), "spec", errors);
        PodUpdateRules.Validate(obj, old, errors);
    }

    /// <summary>
    /// The QoS class (GetPodQOS) over cpu and memory; a missing request counts as its limit, because defaulting
    /// will copy limits into requests.
    /// </summary>
    internal static string QosClass(JsonObject? spec)
    {
        string[] computeResources = ["cpu", "memory"];
        var requests = new Dictionary<string, decimal>();
        var limits = new Dictionary<string, decimal>();
        var guaranteed = true;
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var (_, container) in JsonRead.Items(JsonRead.Arr(spec, list)))
            {
                var resources = JsonRead.Obj(container, "resources");
                var containerLimits = Amounts(JsonRead.Obj(resources, "limits"), computeResources);
                var containerRequests = Amounts(JsonRead.Obj(resources, "requests"), computeResources);
                foreach (var (name, value) in containerLimits) containerRequests.TryAdd(name, value);
                foreach (var (name, value) in containerRequests.Where(r => r.Value > 0))
                    requests[name] = requests.GetValueOrDefault(name) + value;
                foreach (var (name, value) in containerLimits.Where(l => l.Value != 0))
                    limits[name] = limits.GetValueOrDefault(name) + value;
                if (!computeResources.All(r => containerLimits.GetValueOrDefault(r) != 0)) guaranteed = false;
            }
        }
        if (requests.Count == 0 && limits.Count == 0) return "BestEffort";
        if (guaranteed && requests.All(r => limits.TryGetValue(r.Key, out var limit) && limit == r.Value) && requests.Count == limits.Count)
            return "Guaranteed";
        return "Burstable";
    }

    private static Dictionary<string, decimal> Amounts(JsonObject? list, string[] names)
    {
        var amounts = new Dictionary<string, decimal>();
        foreach (var name in names)
            if (list?[name] is { } node && Quantity.TryParse(JsonRead.AsString(node) ?? node.ToJsonString(), out var value))
                amounts[name] = value;
        return amounts;
    }
}
