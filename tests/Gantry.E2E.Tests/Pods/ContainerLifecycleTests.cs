using System.Diagnostics;
using Gantry.E2E.Tests.Harness;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Pods;

/// <summary>What the kubelet does with containers over time, on real runc containers: logs, crash loops, OOM kills, liveness.</summary>
[Collection(NodeCollection.Name)]
public sealed class ContainerLifecycleTests(NodeCluster cluster)
{
    private Kubectl K => cluster.Kubectl;

    private static string Pod(string name, string command, string extra = "", string restartPolicy = "Always") => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}}
        spec:
          restartPolicy: {{restartPolicy}}
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: {{NodeCluster.Image}}
            imagePullPolicy: Never
            command: ["sh", "-c", "{{command}}"]
        {{extra}}
        """;

    [Fact]
    public async Task LogsFollow_StreamsLinesAsTheContainerWritesThem()
    {
        var ns = await K.NewNamespaceAsync("logs");
        await K.ApplyAsync(ns, Pod("talker", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"));
        await K.WaitForPodAsync(ns, "talker", p => p.ContainerStatus()?["state"]?["running"] is not null, TimeSpan.FromMinutes(2));
        var info = new ProcessStartInfo(Gantry.Testing.Processes.Paths.Kubectl()) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["KUBECONFIG"] = cluster.Server.Kubeconfig;
        foreach (var a in new[] { "logs", "-f", "-n", ns, "talker" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var lines = new List<string>();
            while (lines.Count < 15)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                Assert.NotNull(line);
                lines.Add(line);
            }
            // Lines keep arriving while kubectl follows: more than were written when it started, in order.
            var numbers = lines.Select(l => int.Parse(l.Split(' ')[1])).ToList();
            Assert.Equal(numbers.Order(), numbers);
            Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task CrashingContainer_ShowsCrashLoopBackOff()
    {
        var ns = await K.NewNamespaceAsync("crash");
        await K.ApplyAsync(ns, Pod("crasher", "echo dying; exit 2"));
        var pod = await K.WaitForPodAsync(ns, "crasher",
            p => (string?)p.ContainerStatus()?["state"]?["waiting"]?["reason"] == "CrashLoopBackOff", TimeSpan.FromMinutes(2));
        var status = pod.ContainerStatus()!;
        Assert.True((int)status["restartCount"]! >= 1);
        Assert.Equal(2, (int)status["lastState"]!["terminated"]!["exitCode"]!);
        Assert.Equal("Error", (string?)status["lastState"]!["terminated"]!["reason"]);
        Assert.Contains("back-off", (string?)status["state"]!["waiting"]!["message"]);
        Assert.Contains("dying", (await K.RunAsync(["logs", "-n", ns, "crasher", "--previous"])).Ok());
    }

    [Fact]
    public async Task ContainerOverItsMemoryLimit_IsOOMKilled()
    {
        var ns = await K.NewNamespaceAsync("oom");
        await K.ApplyAsync(ns, Pod("hog", "x=0123456789; while true; do x=$x$x; done", "    resources: {limits: {memory: 16Mi}}", restartPolicy: "Never"));
        var pod = await K.WaitForPodAsync(ns, "hog", p => p.ContainerStatus()?["state"]?["terminated"] is not null, TimeSpan.FromMinutes(2));
        Assert.Equal("OOMKilled", (string?)pod.ContainerStatus()!["state"]!["terminated"]!["reason"]);
        Assert.Equal(137, (int)pod.ContainerStatus()!["state"]!["terminated"]!["exitCode"]!);
        Assert.Equal("Failed", (string?)pod["status"]!["phase"]);
    }

    [Fact]
    public async Task FailingLivenessProbe_RestartsTheContainer()
    {
        var ns = await K.NewNamespaceAsync("live");
        var manifest = $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: sickly}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: {{NodeCluster.Image}}
                imagePullPolicy: Never
                command: ["sh", "-c", "touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 600"]
                livenessProbe: {exec: {command: ["cat", "/tmp/healthy"]}, periodSeconds: 1, failureThreshold: 1}
            """;
        await K.ApplyAsync(ns, manifest);
        await K.WaitForPodAsync(ns, "sickly", p => (int?)p.ContainerStatus()?["restartCount"] >= 1, TimeSpan.FromMinutes(2));
        var events = (await K.RunAsync(["get", "events", "-n", ns, "--field-selector=involvedObject.name=sickly", "-o", "jsonpath={.items[*].message}"])).Ok();
        Assert.Contains("Liveness probe failed", events);
        Assert.Contains("failed liveness probe, will be restarted", events);
    }
}
