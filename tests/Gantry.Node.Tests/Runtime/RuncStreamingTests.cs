using System.Text;
using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Runtime;

/// <summary>kubectl exec, attach and port-forward primitives against real runc and conmon (run as root).</summary>
public sealed class RuncStreamingTests : RuntimeTestBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    protected override IContainerRuntime CreateRuntime(NodePaths paths) => new RuncRuntime(paths, NullLogger<RuncRuntime>.Instance);

    [Fact]
    public async Task Exec_WithoutTty_PipesStdinToStdout_AndReportsTheExitCode()
    {
        var id = await StartAsync(Env.Container("app", "sleep", "3600"));
        await using var exec = await Runtime.ExecAsync(
            id, new StreamingRequest { Command = ["sh", "-c", "cat; echo oops >&2; exit 6"], Stdin = true }, default);

        await exec.Stdin!.WriteAsync(Encoding.UTF8.GetBytes("hello\n"));
        await exec.Stdin.DisposeAsync();

        Assert.Equal("hello\n", await ReadAllAsync(exec.Stdout!));
        Assert.Equal("oops\n", await ReadAllAsync(exec.Stderr!));
        Assert.Equal(6, await exec.Completion.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Exec_WithTty_RunsInATerminal_ThatResizes()
    {
        var id = await StartAsync(Env.Container("app", "sleep", "3600"));
        await using var exec = await Runtime.ExecAsync(id, new StreamingRequest { Command = ["sh"], Stdin = true, Tty = true }, default);
        Assert.Null(exec.Stderr);
        var output = ReadAllAsync(exec.Stdout!);

        exec.Resize(120, 40);
        await Task.Delay(200);
        await exec.Stdin!.WriteAsync(Encoding.UTF8.GetBytes("stty size; tty; exit 3\n"));

        Assert.Equal(3, await exec.Completion.WaitAsync(Timeout));
        var text = await output.WaitAsync(Timeout);
        Assert.Contains("40 120", text);
        Assert.Contains("/dev/pts/", text);
    }

    [Fact]
    public async Task Attach_SendsStdinToTheMainProcess_AndReceivesItsOutput()
    {
        var id = await StartAsync(Env.Container("echo", "sh", "-c", "while read line; do echo \"got $line\"; done") with { Stdin = true });
        var first = await Runtime.AttachAsync(id, new StreamingRequest { Stdin = true }, default);
        await first.Stdin!.WriteAsync(Encoding.UTF8.GetBytes("ping\n"));
        Assert.Equal("got ping\n", await ReadLineAsync(first.Stdout!).WaitAsync(Timeout));

        // Detaching leaves the container and its stdin (not stdinOnce) for the next attach.
        await first.DisposeAsync().AsTask().WaitAsync(Timeout);
        await using var second = await Runtime.AttachAsync(id, new StreamingRequest { Stdin = true }, default);
        await second.Stdin!.WriteAsync(Encoding.UTF8.GetBytes("again\n"));

        Assert.Equal("got again\n", await ReadLineAsync(second.Stdout!).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Attach_ToAStdinOnceContainer_ClosesItsStdinWhenTheClientsStdinEnds()
    {
        var id = await StartAsync(Env.Container("once", "sh", "-c", "cat; echo eof") with { Stdin = true, StdinOnce = true });
        await using var attach = await Runtime.AttachAsync(id, new StreamingRequest { Stdin = true }, default);
        var output = ReadAllAsync(attach.Stdout!);

        await attach.Stdin!.WriteAsync(Encoding.UTF8.GetBytes("data\n"));
        await attach.Stdin.DisposeAsync();

        Assert.Equal(0, await attach.Completion.WaitAsync(Timeout));
        Assert.Equal("data\neof\n", await output.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Attach_ToATtyContainer_SharesItsTerminal_AndResizesIt()
    {
        var id = await StartAsync(Env.Container("shell", "sh") with { Stdin = true, Tty = true });
        await using var attach = await Runtime.AttachAsync(id, new StreamingRequest { Stdin = true, Tty = true }, default);
        Assert.Null(attach.Stderr);

        attach.Resize(100, 30);
        await Task.Delay(200);
        await attach.Stdin!.WriteAsync(Encoding.UTF8.GetBytes("stty size\n"));

        var seen = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Timeout);
        while (!seen.ToString().Contains("30 100", StringComparison.Ordinal))
        {
            var read = await attach.Stdout!.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    [Fact]
    public async Task Attach_WithoutStdin_EndsWithTheContainersExitCode()
    {
        var id = await StartAsync(Env.Container("ticker", "sh", "-c", "sleep 1; echo tick; echo tock >&2; exit 4"));
        await using var attach = await Runtime.AttachAsync(id, new StreamingRequest(), default);

        var stdout = ReadAllAsync(attach.Stdout!);
        var stderr = ReadAllAsync(attach.Stderr!);

        Assert.Equal(4, await attach.Completion.WaitAsync(Timeout));
        Assert.Equal("tick\n", await stdout.WaitAsync(Timeout));
        Assert.Equal("tock\n", await stderr.WaitAsync(Timeout));
    }

    [Fact]
    public async Task PortForward_ConnectsToAServerOnTheSandboxLoopback()
    {
        var sandboxId = (await Runtime.RunPodSandboxAsync(Env.Pod("web"), default)).Id;
        var id = await StartAsync(sandboxId, Env.Container("web", "sh", "-c", "echo pong > /tmp/index.html; exec httpd -f -p 127.0.0.1:8080 -h /tmp"));
        await WaitUntilListeningAsync(id, 8080);

        await using var stream = await Runtime.PortForwardAsync(sandboxId, 8080, default);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /index.html HTTP/1.0\r\n\r\n"));
        var response = await ReadAllAsync(stream).WaitAsync(Timeout);

        Assert.StartsWith("HTTP/1.", response);
        Assert.EndsWith("pong\n", response);
        await Assert.ThrowsAnyAsync<Exception>(() => Runtime.PortForwardAsync(sandboxId, 8081, default));
    }

    private async Task WaitUntilListeningAsync(string id, int port)
    {
        var hex = $":{port:X4} ";
        for (var i = 0; i < 100; i++)
        {
            var tcp = await Runtime.ExecSyncAsync(id, ["cat", "/proc/net/tcp"], Timeout, default);
            if (tcp.Stdout.Contains(hex, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"nothing listens on {port}");
    }

    private Task<string> StartAsync(ContainerConfig config) => RunAsync(Env.Pod("stream"), config);

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadToEndAsync();
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[1];
        while (await stream.ReadAsync(buffer) == 1)
        {
            text.Append((char)buffer[0]);
            if (buffer[0] == '\n')
            {
                break;
            }
        }

        return text.ToString();
    }
}
