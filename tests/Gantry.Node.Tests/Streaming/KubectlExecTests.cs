using k8s.Models;

namespace Gantry.Node.Tests.Streaming;

/// <summary>kubectl exec through the API server to the streaming server: WebSocket v5 (1.32) and SPDY (1.28).</summary>
public sealed class KubectlExecTests(StreamingCluster cluster) : IClassFixture<StreamingCluster>
{
    [Theory]
    [InlineData("32")]
    [InlineData("28")]
    public async Task Exec_PrintsOutputAndExitsWithTheCommandsExitCode(string minor)
    {
        var (exit, stdout, stderr) = await cluster.KubectlAsync(minor, ["exec", "web", "--", "sh", "-c", "echo hi; echo oops >&2; exit 3"]);
        Assert.Equal("hi\n", stdout);
        Assert.Contains("oops", stderr);
        Assert.Equal(3, exit);
    }

    [Theory]
    [InlineData("32")]
    [InlineData("28")]
    public async Task Exec_WithLargeOutput_DeliversEveryByteBeforeTheStatus(string minor)
    {
        var (exit, stdout, stderr) = await cluster.KubectlAsync(minor, ["exec", "web", "--", "sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; exit 4"]);
        Assert.True(exit == 4, stderr);
        Assert.Equal(1_000_000, stdout.Length);
        Assert.All(stdout, c => Assert.Equal('x', c));
    }

    [Theory]
    [InlineData("32")]
    [InlineData("28")]
    public async Task Exec_WithStdin_PassesInputAndItsEnd(string minor)
    {
        var (exit, stdout, stderr) = await cluster.KubectlAsync(minor, ["exec", "-i", "web", "--", "sh", "-c", "tr a-z A-Z; echo done"], stdin: "hello\nworld\n");
        Assert.True(exit == 0, stderr);
        Assert.Equal("HELLO\nWORLD\ndone\n", stdout);
    }

    [Fact]
    public async Task Exec_UnknownContainer_IsABadRequest()
    {
        var (exit, _, stderr) = await cluster.KubectlAsync("32", ["exec", "web", "-c", "nope", "--", "true"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("container nope is not valid for pod web", stderr);
    }

    [Fact]
    public async Task Exec_InAnUnscheduledPod_SaysItHasNoHost()
    {
        await cluster.Api.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "unscheduled", NamespaceProperty = "default" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        }, "default");
        var (exit, _, stderr) = await cluster.KubectlAsync("32", ["exec", "unscheduled", "--", "true"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("pod unscheduled does not have a host assigned", stderr);
        var logs = await cluster.KubectlAsync("32", ["logs", "unscheduled"]);
        Assert.Equal((0, ""), (logs.ExitCode, logs.Stdout));
    }

    [Fact]
    public async Task Exec_InAMissingPod_IsNotFound()
    {
        var (exit, _, stderr) = await cluster.KubectlAsync("32", ["exec", "missing", "--", "true"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("pods \"missing\" not found", stderr);
    }

    [Fact]
    public async Task Exec_OnANodeWhoseAgentIsDown_ReportsTheDialError()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var nodes = cluster.Api.Client.For<V1Node>();
        var node = await nodes.CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "node-down" } });
        node.Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = port } },
        };
        await nodes.UpdateStatusAsync(node);
        await cluster.Api.Client.For<V1Pod>().CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "on-down-node", NamespaceProperty = "default" },
            Spec = new V1PodSpec { NodeName = "node-down", Containers = [new V1Container { Name = "main", Image = "busybox" }] },
        }, "default");
        var (exit, _, stderr) = await cluster.KubectlAsync("32", ["exec", "on-down-node", "--", "true"]);
        Assert.NotEqual(0, exit);
        Assert.Contains($"error dialing backend: dial tcp 127.0.0.1:{port}", stderr);
    }

    [Fact]
    public async Task Cp_CopiesAFileIntoThePodAndBack()
    {
        var source = Path.Combine(cluster.Dir, "cp-source.txt");
        var inPod = Directory.CreateDirectory(Path.Combine(cluster.Dir, "cp-pod")).FullName;
        await File.WriteAllTextAsync(source, "copied bytes\n");
        var (exit, _, stderr) = await cluster.KubectlAsync("32", ["cp", source, $"web:{inPod}/file.txt"]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("copied bytes\n", await File.ReadAllTextAsync(Path.Combine(inPod, "file.txt")));

        var back = Path.Combine(cluster.Dir, "cp-back.txt");
        (exit, _, stderr) = await cluster.KubectlAsync("32", ["cp", $"web:{inPod}/file.txt", back]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("copied bytes\n", await File.ReadAllTextAsync(back));
    }

    [Theory]
    [InlineData("32")]
    [InlineData("28")]
    public async Task Attach_WithStdin_RelaysTheMainProcess(string minor)
    {
        var (exit, stdout, stderr) = await cluster.KubectlAsync(minor, ["attach", "-i", "web"], stdin: "typed\n");
        Assert.True(exit == 0, stderr);
        Assert.Contains("attached\ntyped\n", stdout);
    }
}
