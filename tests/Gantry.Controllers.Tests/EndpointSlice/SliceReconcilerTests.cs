using Gantry.Controllers.EndpointSlice;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.EndpointSlice;

public sealed class SliceReconcilerTests
{
    private static readonly V1Service Service = new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "svc-uid" },
        Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" } },
    };

    private static readonly Dictionary<string, string> Labels = new() { ["kubernetes.io/service-name"] = "web" };

    private static readonly List<Discoveryv1EndpointPort> Ports = [new() { Name = "http", Port = 8080, Protocol = "TCP" }];

    private static V1Endpoint Endpoint(int i, bool ready = true) => new()
    {
        Addresses = [$"10.42.{i / 200}.{i % 200 + 1}"],
        Conditions = new V1EndpointConditions { Ready = ready, Serving = ready, Terminating = false },
        TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = "default", Name = $"p{i}" },
    };

    private static Dictionary<string, SliceReconciler.Group> Desired(IEnumerable<V1Endpoint> endpoints) =>
        new() { [SliceKeys.PortsKey(Ports)] = new SliceReconciler.Group(Ports, endpoints.ToList()) };

    private static V1EndpointSlice Existing(string name, IEnumerable<V1Endpoint> endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, Uid = name, Labels = new Dictionary<string, string>(Labels),
            OwnerReferences = [new V1OwnerReference { Uid = "svc-uid", Kind = "Service", Name = "web", ApiVersion = "v1" }],
        },
        AddressType = "IPv4",
        Ports = Ports,
        Endpoints = endpoints.ToList(),
    };

    private static SliceReconciler Reconciler() => new(Service, "IPv4", 100, Labels);

    [Fact]
    public void TwoHundredFiftyEndpoints_MakeThreeSlices_OfAtMostAHundred()
    {
        var plan = Reconciler().Reconcile([], Desired(Enumerable.Range(0, 250).Select(i => Endpoint(i))));

        Assert.Equal([100, 100, 50], plan.Create.Select(s => s.Endpoints.Count));
        Assert.All(plan.Create, s => Assert.Equal("web-", s.Metadata.GenerateName));
        Assert.Empty(plan.Update);
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void AnUnchangedService_PlansNothing()
    {
        var existing = new[] { Existing("a", Enumerable.Range(0, 100).Select(i => Endpoint(i))), Existing("b", Enumerable.Range(100, 20).Select(i => Endpoint(i))) };

        var plan = Reconciler().Reconcile(existing, Desired(Enumerable.Range(0, 120).Select(i => Endpoint(i))));

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void NewEndpoints_FillTheSliceTheyFitBest_InsteadOfANewOne()
    {
        var existing = new[] { Existing("full", Enumerable.Range(0, 95).Select(i => Endpoint(i))), Existing("small", Enumerable.Range(95, 10).Select(i => Endpoint(i))) };

        var plan = Reconciler().Reconcile(existing, Desired(Enumerable.Range(0, 110).Select(i => Endpoint(i))));

        // Five new endpoints fit "full" exactly (closest fit); nothing is created.
        var updated = Assert.Single(plan.Update);
        Assert.Equal("full", updated.Metadata.Name);
        Assert.Equal(100, updated.Endpoints.Count);
        Assert.Empty(plan.Create);
    }

    [Fact]
    public void ARemovedAndAChangedEndpoint_RewriteOnlyTheirSlices_AndAnEmptiedSliceIsDeleted()
    {
        var existing = new[]
        {
            Existing("a", Enumerable.Range(0, 100).Select(i => Endpoint(i))),
            Existing("b", Enumerable.Range(100, 100).Select(i => Endpoint(i))),
            Existing("c", [Endpoint(200)]),
        };
        var desired = Enumerable.Range(0, 200).Select(i => i == 150 ? Endpoint(i, ready: false) : Endpoint(i)).Where(e => e.TargetRef.Name != "p7");

        var plan = Reconciler().Reconcile(existing, Desired(desired));

        Assert.Equal(["a", "b"], plan.Update.Select(s => s.Metadata.Name).Order());
        Assert.Equal(99, plan.Update.Single(s => s.Metadata.Name == "a").Endpoints.Count);
        Assert.False(plan.Update.Single(s => s.Metadata.Name == "b").Endpoints.Single(e => e.TargetRef.Name == "p150").Conditions.Ready);
        Assert.Equal("c", Assert.Single(plan.Delete).Metadata.Name);
        Assert.Empty(plan.Create);
    }

    [Fact]
    public void WhenEverythingGoes_OnePlaceholderRemains()
    {
        var plan = Reconciler().Reconcile([Existing("a", [Endpoint(1)])], new Dictionary<string, SliceReconciler.Group>());

        // The slice to delete is reused for the placeholder rather than deleted and created.
        var placeholder = Assert.Single(plan.Update);
        Assert.Equal("a", placeholder.Metadata.Name);
        Assert.Empty(placeholder.Endpoints);
        Assert.Empty(placeholder.Ports);
        Assert.Empty(plan.Delete);
        Assert.Empty(plan.Create);
    }
}
