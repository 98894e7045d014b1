using System.Diagnostics;
using System.Text;
using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Tests.Streaming;

/// <summary>kubectl logs through the API server to the streaming server's CRI log reader.</summary>
public sealed class KubectlLogsTests(StreamingCluster cluster) : IClassFixture<StreamingCluster>
{
    [Fact]
    public async Task Logs_PrintsTheCurrentAttemptsLinesWithPartialLinesJoined()
    {
        var (exit, stdout, stderr) = await cluster.KubectlAsync("32", ["logs", "web"]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("line one\nline two\nline three\n", stdout);
    }

    [Fact]
    public async Task Logs_WithTailAndTimestamps_PrintsTheLastLinesWithTheirTimes()
    {
        var (exit, stdout, stderr) = await cluster.KubectlAsync("32", ["logs", "web", "--tail=2", "--timestamps"]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("2024-05-06T07:08:10.200000000Z line two\n2024-05-06T07:08:11.300000000Z line three\n", stdout);
    }

    [Fact]
    public async Task Logs_WithLimitBytes_CutsTheOutput()
    {
        var (exit, stdout, _) = await cluster.KubectlAsync("32", ["logs", "web", "--limit-bytes=6"]);
        Assert.Equal(0, exit);
        Assert.Equal("line o", stdout);
    }

    [Fact]
    public async Task Logs_PreviousWithoutAnEarlierAttempt_SaysSoAsTheKubeletDoes()
    {
        var (exit, _, stderr) = await cluster.KubectlAsync("32", ["logs", "web", "--previous"]);
        Assert.Equal(1, exit);
        Assert.Equal("Error from server (BadRequest): previous terminated container \"main\" in pod \"web\" not found\n", stderr);
    }

    [Fact]
    public async Task Logs_PreviousAndCurrent_ReadTheirOwnAttempts()
    {
        var (sandbox, dir) = await AddPodAsync("restarted");
        await File.WriteAllTextAsync(Path.Combine(dir, "0.log"), "2024-05-06T07:08:09Z stdout F first life\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "1.log"), "2024-05-06T07:09:09Z stdout F second life\n");
        cluster.Runtime.AddContainer(sandbox, "main", 0, Path.Combine(dir, "0.log"), ContainerState.Exited);
        cluster.Runtime.AddContainer(sandbox, "main", 1, Path.Combine(dir, "1.log"));
        Assert.Equal("second life\n", (await cluster.KubectlAsync("32", ["logs", "restarted"])).Stdout);
        Assert.Equal("first life\n", (await cluster.KubectlAsync("32", ["logs", "restarted", "-p"])).Stdout);
    }

    [Fact]
    public async Task Logs_OfAContainerWaitingToStart_NamesTheReason()
    {
        await cluster.Api.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "waiting", NamespaceProperty = "default" },
            Spec = new V1PodSpec { NodeName = StreamingCluster.NodeName, Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        }, "default");
        var pod = await cluster.Api.Client.For<V1Pod>().GetAsync("default", "waiting");
        pod!.Status = new V1PodStatus
        {
            Phase = "Pending",
            ContainerStatuses = [new V1ContainerStatus
            {
                Name = "main", Image = "busybox", ImageID = "", Ready = false, RestartCount = 0,
                State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } },
            }],
        };
        await cluster.Api.Client.For<V1Pod>().UpdateStatusAsync(pod);
        var (exit, _, stderr) = await cluster.KubectlAsync("32", ["logs", "waiting"]);
        Assert.Equal(1, exit);
        Assert.Equal("Error from server (BadRequest): container \"main\" in pod \"waiting\" is waiting to start: ContainerCreating\n", stderr);
    }

    [Fact]
    public async Task LogsFollow_StreamsNewLinesAndEndsWhenTheContainerExits()
    {
        var (sandbox, dir) = await AddPodAsync("follow");
        var log = Path.Combine(dir, "0.log");
        await File.WriteAllTextAsync(log, "2024-05-06T07:08:09Z stdout F before\n");
        var container = cluster.Runtime.AddContainer(sandbox, "main", 0, log);
        using var kubectl = Process.Start(cluster.Kubectl("32", ["logs", "-f", "follow"]))!;
        try
        {
            var output = new StringBuilder();
            var sawAfter = new TaskCompletionSource();
            kubectl.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (output) output.Append(e.Data).Append('\n');
                if (e.Data == "after") sawAfter.TrySetResult();
            };
            kubectl.BeginOutputReadLine();
            await Task.Delay(300);
            await File.AppendAllTextAsync(log, "2024-05-06T07:08:10Z stdout F after\n");
            await sawAfter.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(kubectl.HasExited);
            cluster.Runtime.Containers[container.Id] = container with { State = ContainerState.Exited, ExitCode = 0 };
            await kubectl.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            Assert.Equal(0, kubectl.ExitCode);
            lock (output) Assert.Equal("before\nafter\n", output.ToString());
        }
        finally
        {
            if (!kubectl.HasExited) kubectl.Kill(entireProcessTree: true);
        }
    }

    private async Task<(PodSandbox Sandbox, string LogDir)> AddPodAsync(string name)
    {
        await cluster.Api.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new V1PodSpec { NodeName = StreamingCluster.NodeName, Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        }, "default");
        var dir = Directory.CreateDirectory(Path.Combine(cluster.Dir, name, "main")).FullName;
        return (cluster.Runtime.AddSandbox("default", name), dir);
    }
}
