using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gantry.Node.Runtime;

namespace Gantry.Node.Tests.Streaming;

/// <summary>
/// A test runtime for the streaming server: sandboxes and containers are records the test sets, exec runs the
/// command as a real local process with pipes, attach runs <see cref="AttachCommand"/>, and port-forward connects to
/// 127.0.0.1:port. Everything else is not needed by the streaming server.
/// </summary>
internal sealed class ProcessRuntime : IContainerRuntime
{
    public ConcurrentDictionary<string, PodSandbox> Sandboxes { get; } = new();
    public ConcurrentDictionary<string, ContainerStatus> Containers { get; } = new();
    public IReadOnlyList<string> AttachCommand { get; set; } = ["sh", "-c", "echo attached; cat"];
    public ConcurrentBag<string> ExecContainers { get; } = [];
    public ConcurrentQueue<(ushort Columns, ushort Rows)> Resizes { get; } = new();
    public ConcurrentDictionary<int, Process> Started { get; } = new();

    public PodSandbox AddSandbox(string ns, string pod)
    {
        var sandbox = new PodSandbox
        {
            Id = $"sandbox-{ns}-{pod}",
            Ready = true,
            CreatedAt = DateTimeOffset.UtcNow,
            Config = new PodSandboxConfig { PodUid = Guid.NewGuid().ToString(), PodNamespace = ns, PodName = pod, Hostname = pod, CgroupParent = "/test" },
        };
        Sandboxes[sandbox.Id] = sandbox;
        return sandbox;
    }

    public ContainerStatus AddContainer(PodSandbox sandbox, string name, int attempt, string logPath, ContainerState state = ContainerState.Running)
    {
        var container = new ContainerStatus
        {
            Id = $"{sandbox.Id}-{name}-{attempt}",
            SandboxId = sandbox.Id,
            Name = name,
            Attempt = attempt,
            State = state,
            Image = "busybox",
            ImageId = "sha256:0",
            CreatedAt = DateTimeOffset.UtcNow,
            LogPath = logPath,
            Labels = new Dictionary<string, string>
            {
                ["io.kubernetes.pod.namespace"] = sandbox.Config.PodNamespace,
                ["io.kubernetes.pod.name"] = sandbox.Config.PodName,
                ["io.kubernetes.pod.uid"] = sandbox.Config.PodUid,
                ["io.kubernetes.container.name"] = name,
            },
        };
        Containers[container.Id] = container;
        return container;
    }

    public Task<IReadOnlyList<PodSandbox>> ListPodSandboxesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PodSandbox>>(Sandboxes.Values.ToList());

    public Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ContainerStatus>>(Containers.Values.ToList());

    public Task<IStreamingProcess> ExecAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken)
    {
        ExecContainers.Add(containerId);
        return Task.FromResult<IStreamingProcess>(LocalProcess.Start(request.Command, request, Resizes, Started));
    }

    public Task<IStreamingProcess> AttachAsync(string containerId, StreamingRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IStreamingProcess>(LocalProcess.Start(AttachCommand, request, Resizes, Started));

    public async Task<Stream> PortForwardAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        return client.GetStream();
    }

    public Task<PodSandbox> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task StopPodSandboxAsync(string sandboxId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task RemovePodSandboxAsync(string sandboxId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task ReopenContainerLogAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<ExecResult> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>A local child process with pipes as an exec session (no terminal: resizes are only recorded).</summary>
    private sealed class LocalProcess(Process process, StreamingRequest request, ConcurrentQueue<(ushort, ushort)> resizes) : IStreamingProcess
    {
        public static LocalProcess Start(IReadOnlyList<string> command, StreamingRequest request, ConcurrentQueue<(ushort, ushort)> resizes,
            ConcurrentDictionary<int, Process> started)
        {
            var psi = new ProcessStartInfo(command[0])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in command.Skip(1)) psi.ArgumentList.Add(arg);
            var process = Process.Start(psi)!;
            started[process.Id] = process;
            if (!request.Stdin) process.StandardInput.Close();
            return new LocalProcess(process, request, resizes);
        }

        public Stream? Stdin => request.Stdin ? process.StandardInput.BaseStream : null;
        public Stream? Stdout => request.Stdout ? process.StandardOutput.BaseStream : null;
        public Stream? Stderr => request.Stderr ? process.StandardError.BaseStream : null;

        public Task<int> Completion { get; } = WaitAsync(process);

        private static async Task<int> WaitAsync(Process process)
        {
            await process.WaitForExitAsync();
            return process.ExitCode;
        }

        public void Resize(ushort columns, ushort rows) => resizes.Enqueue((columns, rows));

        public ValueTask DisposeAsync()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
