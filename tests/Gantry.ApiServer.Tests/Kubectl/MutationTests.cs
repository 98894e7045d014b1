using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

[Collection(ServerCollection.Name)]
public sealed class MutationTests(ServerFixture fixture)
{
    private Gantry.Testing.Processes.Kubectl K => fixture.Kubectl;

    [Fact]
    public async Task Create_ImperativeCommandsSendProtobufAndSucceed()
    {
        var ns = await K.NewNamespaceAsync("create");
        Assert.Contains("configmap/c1 created", (await K.RunAsync(["create", "configmap", "c1", "-n", ns, "--from-literal=k=v"])).Ok());
        Assert.Equal("v", await K.JsonPathAsync(ns, "cm/c1", "{.data.k}"));
        Assert.Contains("secret/s1 created", (await K.RunAsync(["create", "secret", "generic", "s1", "-n", ns, "--from-literal=pw=hunter2"])).Ok());
        Assert.Equal(Convert.ToBase64String("hunter2"u8.ToArray()), await K.JsonPathAsync(ns, "secret/s1", "{.data.pw}"));
        Assert.Contains("deployment.apps/d1 created", (await K.RunAsync(["create", "deployment", "d1", "-n", ns, "--image=nginx:1.27", "--replicas=3"])).Ok());
        Assert.Equal("3 nginx:1.27", await K.JsonPathAsync(ns, "deploy/d1", "{.spec.replicas} {.spec.template.spec.containers[0].image}"));
    }

    [Fact]
    public async Task LabelAndAnnotate_AddOverwriteAndRemove()
    {
        var ns = await K.NewNamespaceAsync("label");
        await K.ApplyAsync(ns, Manifests.ConfigMap("c"));
        (await K.RunAsync(["label", "cm/c", "-n", ns, "color=red"])).Ok();
        var conflict = await K.RunAsync(["label", "cm/c", "-n", ns, "color=blue"]);
        Assert.NotEqual(0, conflict.ExitCode);
        (await K.RunAsync(["label", "cm/c", "-n", ns, "color=blue", "--overwrite"])).Ok();
        Assert.Equal("blue", await K.JsonPathAsync(ns, "cm/c", "{.metadata.labels.color}"));
        (await K.RunAsync(["label", "cm/c", "-n", ns, "color-"])).Ok();
        Assert.Equal("", await K.JsonPathAsync(ns, "cm/c", "{.metadata.labels.color}"));
        (await K.RunAsync(["annotate", "cm/c", "-n", ns, "note=hello"])).Ok();
        (await K.RunAsync(["annotate", "cm/c", "-n", ns, "note=bye", "--overwrite"])).Ok();
        Assert.Equal("bye", await K.JsonPathAsync(ns, "cm/c", "{.metadata.annotations.note}"));
        (await K.RunAsync(["annotate", "cm/c", "-n", ns, "note-"])).Ok();
        Assert.Equal("", await K.JsonPathAsync(ns, "cm/c", "{.metadata.annotations.note}"));
    }

    [Fact]
    public async Task Patch_AllThreeTypes()
    {
        var ns = await K.NewNamespaceAsync("patch");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 1));
        (await K.RunAsync(["patch", "deploy/web", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"replicas\":4}}"])).Ok();
        (await K.RunAsync(["patch", "deploy/web", "-n", ns, "--type=json", "-p", "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"}]"])).Ok();
        (await K.RunAsync(["patch", "deploy/web", "-n", ns, "--type=strategic", "-p",
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"busybox\"}]}}}}"])).Ok();
        Assert.Equal("4 y", await K.JsonPathAsync(ns, "deploy/web", "{.spec.replicas} {.metadata.labels.x}"));
        var containers = (await K.JsonPathAsync(ns, "deploy/web", "{.spec.template.spec.containers[*].name}")).Split(' ');
        Assert.Equal(["app", "side"], containers.Order());
        var bad = await K.RunAsync(["patch", "deploy/web", "-n", ns, "--type=json", "-p", "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":9}]"]);
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public async Task ScaleAndWait_ForJsonPathAndDelete()
    {
        var ns = await K.NewNamespaceAsync("scale");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 1));
        Assert.Contains("scaled", (await K.RunAsync(["scale", "deploy/web", "-n", ns, "--replicas=5"])).Ok());
        (await K.RunAsync(["wait", "-n", ns, "--for=jsonpath={.spec.replicas}=5", "deploy/web", "--timeout=10s"])).Ok();
        var wait = K.RunAsync(["wait", "-n", ns, "--for=delete", "deploy/web", "--timeout=20s"]);
        await Task.Delay(500);
        (await K.RunAsync(["delete", "deploy/web", "-n", ns])).Ok();
        (await wait).Ok();
    }

    [Fact]
    public async Task Edit_WithEditorScript()
    {
        var ns = await K.NewNamespaceAsync("edit");
        await K.ApplyAsync(ns, Manifests.Deployment("web", 1));
        var script = Path.Combine(fixture.Server.DataDir, $"editor-{ns}.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\nsed -i 's/replicas: 1/replicas: 6/' \"$1\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var result = await K.RunAsync(["edit", "deploy/web", "-n", ns], env: new Dictionary<string, string> { ["KUBE_EDITOR"] = script });
        Assert.Contains("edited", result.Ok());
        Assert.Equal("6", await K.JsonPathAsync(ns, "deploy/web", "{.spec.replicas}"));
    }

    [Fact]
    public async Task Delete_ByNameFileLabelAndAll()
    {
        var ns = await K.NewNamespaceAsync("delete");
        for (var i = 0; i < 4; i++) await K.ApplyAsync(ns, Manifests.ConfigMap($"c{i}"));
        Assert.Contains("\"c0\" deleted", (await K.RunAsync(["delete", "cm", "c0", "-n", ns])).Ok());
        Assert.Contains("\"c1\" deleted", (await K.RunAsync(["delete", "-n", ns, "-f", "-"], Manifests.ConfigMap("c1"))).Ok());
        (await K.RunAsync(["label", "cm/c2", "-n", ns, "gone=yes"])).Ok();
        Assert.Contains("\"c2\" deleted", (await K.RunAsync(["delete", "cm", "-n", ns, "-l", "gone=yes"])).Ok());
        Assert.Contains("\"c3\" deleted", (await K.RunAsync(["delete", "cm", "-n", ns, "--all"])).Ok());
        var missing = await K.RunAsync(["get", "cm", "c3", "-n", ns]);
        Assert.Contains("NotFound", missing.Stderr);
    }
}
