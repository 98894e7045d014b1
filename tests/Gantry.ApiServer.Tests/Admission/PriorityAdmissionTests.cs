using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer;
using Gantry.ApiServer.Admission;
using Gantry.ApiServer.Objects;
using Gantry.Storage.Memory;

namespace Gantry.ApiServer.Tests.Admission;

/// <summary>The Priority admission plugin through the resource service on a memory store (no HTTP, milliseconds).</summary>
public sealed class PriorityAdmissionTests
{
    private static readonly ResourceDefinition Pods = ResourceRegistry.BuiltIn.Find("", "v1", "pods")!;
    private static readonly ResourceDefinition PriorityClasses = ResourceRegistry.BuiltIn.Find("scheduling.k8s.io", "v1", "priorityclasses")!;
    private readonly ResourceService _service = new(new MemoryStore(), TimeProvider.System);

    private async Task StartAsync()
    {
        await Bootstrap.EnsureNamespacesAsync(_service, ResourceRegistry.BuiltIn, CancellationToken.None);
        await PriorityAdmission.EnsureSystemClassesAsync(_service, CancellationToken.None);
    }

    private Task<JsonObject> CreateClassAsync(string name, long value, bool globalDefault = false, string? policy = null)
    {
        var obj = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["value"] = value, ["globalDefault"] = globalDefault };
        if (policy is not null) obj["preemptionPolicy"] = policy;
        return _service.CreateAsync(PriorityClasses, null, obj, new WriteOptions(), CancellationToken.None);
    }

    private Task<JsonObject> CreatePodAsync(string name, string? priorityClass = null, long? priority = null, string? policy = null, bool generate = false)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) };
        if (priorityClass is not null) spec["priorityClassName"] = priorityClass;
        if (priority is not null) spec["priority"] = priority;
        if (policy is not null) spec["preemptionPolicy"] = policy;
        var meta = new JsonObject { [generate ? "generateName" : "name"] = name };
        return _service.CreateAsync(Pods, "default", new JsonObject { ["metadata"] = meta, ["spec"] = spec }, new WriteOptions(), CancellationToken.None);
    }

    private static long? Priority(JsonObject pod) => (long?)pod["spec"]!["priority"];

    private static string? Str(JsonObject pod, string field) => (string?)pod["spec"]![field];

    [Fact]
    public async Task Start_CreatesTheSystemPriorityClasses_Once()
    {
        await StartAsync();
        await PriorityAdmission.EnsureSystemClassesAsync(_service, CancellationToken.None);

        var node = await _service.GetAsync(PriorityClasses, null, "system-node-critical", CancellationToken.None);
        var cluster = await _service.GetAsync(PriorityClasses, null, "system-cluster-critical", CancellationToken.None);
        Assert.Equal(2_000_001_000, (long)node["value"]!);
        Assert.Equal(2_000_000_000, (long)cluster["value"]!);
        Assert.Equal("PreemptLowerPriority", (string?)cluster["preemptionPolicy"]);
    }

    [Fact]
    public async Task SystemPriorityClasses_CannotBeDeleted()
    {
        await StartAsync();
        await CreateClassAsync("batch", 100);

        var error = await Assert.ThrowsAsync<ApiException>(() =>
            _service.DeleteAsync(PriorityClasses, null, "system-cluster-critical", new DeleteRequest(), CancellationToken.None));
        var (_, deleted) = await _service.DeleteAsync(PriorityClasses, null, "batch", new DeleteRequest(), CancellationToken.None);

        Assert.Equal(403, error.Code);
        Assert.Equal("priorityclasses.scheduling.k8s.io \"system-cluster-critical\" is forbidden: this is a system priority class and cannot be deleted", error.Message);
        Assert.True(deleted);
    }

    [Fact]
    public async Task PodCreate_ResolvesPriorityAndPreemptionPolicy_FromItsClass()
    {
        await StartAsync();
        await CreateClassAsync("batch", 100, policy: "Never");

        var pod = await CreatePodAsync("p", "batch");
        var critical = await CreatePodAsync("c", "system-node-critical");

        Assert.Equal(100, Priority(pod));
        Assert.Equal("Never", Str(pod, "preemptionPolicy"));
        Assert.Equal(2_000_001_000, Priority(critical));
    }

    [Fact]
    public async Task PodCreate_WithoutAClass_GetsPriorityZero_OrTheGlobalDefault()
    {
        await StartAsync();
        var plain = await CreatePodAsync("plain");
        await CreateClassAsync("standard", 7, globalDefault: true);

        var defaulted = await CreatePodAsync("defaulted");

        Assert.Equal(0, Priority(plain));
        Assert.Equal("PreemptLowerPriority", Str(plain, "preemptionPolicy"));
        Assert.Null(Str(plain, "priorityClassName"));
        Assert.Equal(7, Priority(defaulted));
        Assert.Equal("standard", Str(defaulted, "priorityClassName"));
    }

    [Fact]
    public async Task PodCreate_AfterTheGlobalDefaultChangesOrIsDeleted_FollowsTheStoredClasses()
    {
        await StartAsync();
        var standard = await CreateClassAsync("standard", 7, globalDefault: true);
        var first = await CreatePodAsync("first");
        standard["globalDefault"] = false;
        standard = await _service.UpdateAsync(PriorityClasses, null, "standard", standard, status: false, new WriteOptions(), CancellationToken.None);
        var unmarked = await CreatePodAsync("unmarked");
        await CreateClassAsync("low", 3, globalDefault: true);
        var replaced = await CreatePodAsync("replaced");
        await _service.DeleteAsync(PriorityClasses, null, "low", new DeleteRequest(), CancellationToken.None);

        var deleted = await CreatePodAsync("deleted");

        Assert.Equal(7, Priority(first));
        Assert.Equal(0, Priority(unmarked));
        Assert.Null(Str(unmarked, "priorityClassName"));
        Assert.Equal(3, Priority(replaced));
        Assert.Equal("low", Str(replaced, "priorityClassName"));
        Assert.Equal(0, Priority(deleted));
        Assert.Null(Str(deleted, "priorityClassName"));
    }

    [Fact]
    public async Task PodCreate_WithAnUnknownClass_IsForbidden()
    {
        await StartAsync();

        var error = await Assert.ThrowsAsync<ApiException>(() => CreatePodAsync("p", "nope"));
        var generated = await Assert.ThrowsAsync<ApiException>(() => CreatePodAsync("web-", "nope", generate: true));

        Assert.Equal(403, error.Code);
        Assert.Equal("Forbidden", error.Reason);
        Assert.Equal("pods \"p\" is forbidden: no PriorityClass with name nope was found", error.Message);
        Assert.Equal("pods \"web-\" is forbidden: no PriorityClass with name nope was found", generated.Message);
    }

    [Fact]
    public async Task PodCreate_WithAPriorityOtherThanItsClassComputes_IsForbidden_ButTheSameValueIsAccepted()
    {
        await StartAsync();
        await CreateClassAsync("batch", 100);

        var error = await Assert.ThrowsAsync<ApiException>(() => CreatePodAsync("p", "batch", priority: 5));
        var policy = await Assert.ThrowsAsync<ApiException>(() => CreatePodAsync("q", "batch", policy: "Never"));
        var same = await CreatePodAsync("r", "batch", priority: 100);

        Assert.Equal(403, error.Code);
        Assert.Equal("pods \"p\" is forbidden: the integer value of priority (5) must not be provided in pod spec; " +
            "priority admission controller computed 100 from the given PriorityClass name", error.Message);
        Assert.Equal("pods \"q\" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; " +
            "priority admission controller computed PreemptLowerPriority from the given PriorityClass name", policy.Message);
        Assert.Equal(100, Priority(same));
    }

    [Fact]
    public async Task PodUpdate_ThatLeavesOutThePriority_KeepsIt()
    {
        await StartAsync();
        await CreateClassAsync("batch", 100);
        var pod = await CreatePodAsync("p", "batch");
        var replacement = pod.DeepClone().AsObject();
        replacement["spec"]!.AsObject().Remove("priority");
        replacement["spec"]!.AsObject().Remove("preemptionPolicy");
        replacement["spec"]!["containers"]![0]!["image"] = "busybox:2";

        var updated = await _service.UpdateAsync(Pods, "default", "p", replacement, status: false, new WriteOptions(), CancellationToken.None);

        Assert.Equal(100, Priority(updated));
        Assert.Equal("PreemptLowerPriority", Str(updated, "preemptionPolicy"));
    }

    [Fact]
    public async Task OnlyOnePriorityClass_MayBeTheGlobalDefault()
    {
        await StartAsync();
        var first = await CreateClassAsync("first", 10, globalDefault: true);
        var second = await CreateClassAsync("second", 20);

        var created = await Assert.ThrowsAsync<ApiException>(() => CreateClassAsync("third", 30, globalDefault: true));
        second["globalDefault"] = true;
        var marked = await Assert.ThrowsAsync<ApiException>(() =>
            _service.UpdateAsync(PriorityClasses, null, "second", second, status: false, new WriteOptions(), CancellationToken.None));
        first["description"] = "still the default";
        await _service.UpdateAsync(PriorityClasses, null, "first", first, status: false, new WriteOptions(), CancellationToken.None);

        Assert.Equal(403, created.Code);
        Assert.Equal("priorityclasses.scheduling.k8s.io \"third\" is forbidden: PriorityClass first is already marked as default. Only one default can exist",
            created.Message);
        Assert.Equal("priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass first is already marked as default. Only one default can exist",
            marked.Message);
    }

    [Fact]
    public async Task PriorityClass_ValueIsImmutable_AndSystemNamesAreReserved()
    {
        await StartAsync();
        var batch = await CreateClassAsync("batch", 100);
        batch["value"] = 101;

        var changed = await Assert.ThrowsAsync<ApiException>(() =>
            _service.UpdateAsync(PriorityClasses, null, "batch", batch, status: false, new WriteOptions(), CancellationToken.None));
        var reserved = await Assert.ThrowsAsync<ApiException>(() => CreateClassAsync("system-mine", 100));

        Assert.Equal(422, changed.Code);
        Assert.Contains("value: Forbidden: may not be changed in an update.", changed.Message, StringComparison.Ordinal);
        Assert.Equal(422, reserved.Code);
        Assert.Contains("priority class names with 'system-' prefix are reserved for system use only", reserved.Message, StringComparison.Ordinal);
    }
}
