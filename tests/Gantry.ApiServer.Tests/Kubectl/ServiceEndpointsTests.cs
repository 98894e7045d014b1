using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

/// <summary>Services whose endpoints a user writes by hand, as kubectl users point a Service at a database outside the cluster.</summary>
[Collection(ServerCollection.Name)]
public sealed class ServiceEndpointsTests(ServerFixture fixture)
{
    private Gantry.Testing.Processes.Kubectl K => fixture.Kubectl;

    [Fact]
    public async Task ASelectorlessServicesHandWrittenEndpoints_AreMirroredIntoAnEndpointSlice()
    {
        var ns = await K.NewNamespaceAsync("mirror");
        await K.ApplyAsync(ns, """
            apiVersion: v1
            kind: Service
            metadata: {name: external-db}
            spec:
              ports: [{name: mongo, port: 27017}]
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: external-db}
            subsets:
            - addresses: [{ip: 192.0.2.7}, {ip: 192.0.2.8}]
              ports: [{name: mongo, port: 27017}]
            """);

        var selector = "-lkubernetes.io/service-name=external-db,endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io";
        await Gantry.Testing.Eventually.HoldsAsync(async () =>
            (await K.RunAsync(["get", "endpointslices", "-n", ns, selector, "-o", "jsonpath={.items[*].endpoints[*].addresses[0]}"])).Stdout.Trim() == "192.0.2.7 192.0.2.8",
            "the mirrored EndpointSlice", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

        (await K.RunAsync(["delete", "endpoints", "external-db", "-n", ns])).Ok();
        await Gantry.Testing.Eventually.HoldsAsync(async () =>
            (await K.RunAsync(["get", "endpointslices", "-n", ns, selector, "-o", "name"])).Stdout.Trim().Length == 0,
            "the mirrored EndpointSlice to go", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
    }
}
