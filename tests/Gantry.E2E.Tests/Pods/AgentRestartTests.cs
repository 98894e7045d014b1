using System.Diagnostics;
using System.Text.Json.Nodes;
using Gantry.E2E.Tests.Harness;
using Gantry.Testing.Images;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Pods;

/// <summary>
/// The agent in its own process (`gantry agent`) next to a server without one: killing it with SIGKILL while pods run
/// and starting it again restarts no container — the monitors keep them, the new agent adopts them.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AgentRestartTests : IAsyncLifetime
{
    private const int Pods = 20;
    private readonly string _nodeName = $"e2e-r{Guid.NewGuid().ToString("N")[..5]}";
    private GantryServer _server = null!;
    private string _agentDir = "";
    private Process? _agent;

    public async Task InitializeAsync()
    {
        Prerequisites.Check();
        _server = await GantryServer.StartAsync();
        _agentDir = Leftovers.NewDataDir(_nodeName);
        var archive = Path.Combine(_agentDir, "busybox.tar");
        BusyboxImage.WriteOciArchive(archive);
        await NodeCluster.RunGantryAsync("image", "import", "--data-dir", _agentDir, "--node-name", _nodeName, archive);
        StartAgent();
    }

    public async Task DisposeAsync()
    {
        KillAgent();
        await _server.KillAsync();
        await NodeCleanup.RunAsync(_agentDir, _nodeName);
        await _server.DisposeAsync();
        try { Directory.Delete(_agentDir, recursive: true); }
        catch (IOException) { }
    }

    private void StartAgent()
    {
        var token = File.ReadLines(_server.Kubeconfig).Select(l => l.Trim()).First(l => l.StartsWith("token:", StringComparison.Ordinal))["token:".Length..].Trim();
        var info = new ProcessStartInfo(Gantry.Testing.Processes.Paths.Gantry) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "agent", "--server", _server.Url, "--token", token,
                     "--ca-file", Path.Combine(_server.DataDir, "tls", "ca.crt"), "--data-dir", _agentDir, "--node-name", _nodeName, "--flannel-backend", "none" })
            info.ArgumentList.Add(a);
        _agent = Process.Start(info)!;
        _agent.OutputDataReceived += (_, _) => { };
        _agent.ErrorDataReceived += (_, _) => { };
        _agent.BeginOutputReadLine();
        _agent.BeginErrorReadLine();
    }

    private void KillAgent()
    {
        if (_agent is null || _agent.HasExited) return;
        _agent.Kill(entireProcessTree: false);
        _agent.WaitForExit();
    }

    [Fact]
    public async Task KillingTheAgent_RestartsNoContainer()
    {
        var k = new Kubectl(_server);
        await NodeCluster.WaitForNodeReadyAsync(k, _nodeName);
        var ns = await k.NewNamespaceAsync("restart");
        await k.ApplyAsync(ns, $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: steady}
            spec:
              replicas: {{{Pods}}}
              selector: {matchLabels: {app: steady}}
              template:
                metadata: {labels: {app: steady}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: {{{NodeCluster.Image}}}
                    imagePullPolicy: Never
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
            """);
        (await k.RunAsync(["rollout", "status", "-n", ns, "deployment/steady", "--timeout=240s"], timeout: TimeSpan.FromMinutes(5))).Ok();
        var before = await ContainersAsync(k, ns);
        Assert.Equal(Pods, before.Count);

        // SIGKILL: no chance to clean up; the containers' monitors are not its children and live on.
        _agent!.Kill(entireProcessTree: false);
        await _agent.WaitForExitAsync();
        StartAgent();
        // Long enough for the new agent to sync every pod and post statuses.
        await Task.Delay(TimeSpan.FromSeconds(15));

        var after = await ContainersAsync(k, ns);
        Assert.Equal(before, after);
    }

    /// <summary>Pod name -> (container id, restart count, running).</summary>
    private static async Task<Dictionary<string, (string Id, int Restarts, bool Running)>> ContainersAsync(Kubectl k, string ns)
    {
        var list = JsonNode.Parse((await k.RunAsync(["get", "pods", "-n", ns, "-o", "json"])).Ok())!;
        return list["items"]!.AsArray().ToDictionary(
            p => (string)p!["metadata"]!["name"]!,
            p => ((string)p!["status"]!["containerStatuses"]![0]!["containerID"]!, (int)p["status"]!["containerStatuses"]![0]!["restartCount"]!,
                p["status"]!["containerStatuses"]![0]!["state"]!["running"] is not null));
    }
}
