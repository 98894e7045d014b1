using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

[Collection(ServerCollection.Name)]
public sealed class ApplyTests(ServerFixture fixture)
{
    private Gantry.Testing.Processes.Kubectl K => fixture.Kubectl;

    [Fact]
    public async Task Apply_CreatesThenConfigures_AndThreeWayMergeRemovesDroppedFields()
    {
        var ns = await K.NewNamespaceAsync("apply");
        const string withEnv = """
                    env:
                    - name: KEEP
                      value: "1"
                    - name: DROP
                      value: "2"
            """;
        Assert.Contains("deployment.apps/web created", await K.ApplyAsync(ns, Manifests.Deployment("web", 2, "nginx:1", withEnv)));
        Assert.Equal("KEEP DROP", await K.JsonPathAsync(ns, "deploy/web", "{.spec.template.spec.containers[0].env[*].name}"));
        const string keepOnly = """
                    env:
                    - name: KEEP
                      value: "1"
            """;
        Assert.Contains("deployment.apps/web configured", await K.ApplyAsync(ns, Manifests.Deployment("web", 3, "nginx:2", keepOnly)));
        Assert.Equal("3 nginx:2 KEEP", await K.JsonPathAsync(ns, "deploy/web", "{.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[*].name}"));
        Assert.Contains("deployment.apps/web unchanged", await K.ApplyAsync(ns, Manifests.Deployment("web", 3, "nginx:2", keepOnly)));
    }

    [Fact]
    public async Task ApplyServerSide_CreatesAndUpdatesWithFieldManager()
    {
        var ns = await K.NewNamespaceAsync("ssa");
        Assert.Contains("serverside-applied", await K.ApplyAsync(ns, Manifests.ConfigMap("cfg"), "--server-side"));
        Assert.Contains("serverside-applied", await K.ApplyAsync(ns, Manifests.ConfigMap("cfg", "b: \"2\""), "--server-side"));
        Assert.Equal("2", await K.JsonPathAsync(ns, "cm/cfg", "{.data.b}"));
        Assert.Equal("", await K.JsonPathAsync(ns, "cm/cfg", "{.data.a}"));
        var managers = await K.JsonPathAsync(ns, "cm/cfg", "{.metadata.managedFields[*].manager}");
        Assert.Contains("kubectl", managers);
    }

    [Fact]
    public async Task ApplyServerSide_ConflictsWithAnotherManager_UntilForced()
    {
        var ns = await K.NewNamespaceAsync("ssaconflict");
        Assert.Contains("serverside-applied", await K.ApplyAsync(ns, Manifests.Deployment("web", 2), "--server-side"));
        (await K.RunAsync(["scale", "deploy/web", "-n", ns, "--replicas=5"])).Ok();
        var conflict = await K.RunAsync(["apply", "--server-side", "-n", ns, "-f", "-"], Manifests.Deployment("web", 2));
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("Apply failed with 1 conflict", conflict.Stderr);
        Assert.Contains(".spec.replicas", conflict.Stderr);
        Assert.Contains("serverside-applied", await K.ApplyAsync(ns, Manifests.Deployment("web", 2), "--server-side", "--force-conflicts"));
        Assert.Equal("2", await K.JsonPathAsync(ns, "deploy/web", "{.spec.replicas}"));
    }

    [Fact]
    public async Task InvalidManifest_GivesKubectlsUsualErrorLine()
    {
        var ns = await K.NewNamespaceAsync("invalid");
        var result = await K.RunAsync(["apply", "-n", ns, "-f", "-"], Manifests.Deployment("bad", 1, "\"\""));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The Deployment \"bad\" is invalid", result.Stderr);
        Assert.Contains("spec.template.spec.containers[0].image: Required value", result.Stderr);
    }

    [Fact]
    public async Task UnknownField_IsRefusedByStrictValidation()
    {
        var ns = await K.NewNamespaceAsync("strict");
        var manifest = Manifests.ConfigMap("cfg").Replace("\ndata:", "\nbogus: 1\ndata:");
        var result = await K.RunAsync(["apply", "-n", ns, "-f", "-"], manifest);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown field \"bogus\"", result.Stderr);
    }
}
