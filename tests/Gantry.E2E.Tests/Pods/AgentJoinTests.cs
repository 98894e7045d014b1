using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Gantry.E2E.Tests.Harness;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Pods;

/// <summary>
/// A second agent joins the running cluster with a token from <c>gantry token create</c> (over loopback: the join
/// protocol is the same as from another machine), registers with its own node credentials, and reuses them when it
/// restarts.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AgentJoinTests(NodeCluster cluster)
{
    private Kubectl K => cluster.Kubectl;

    [Fact]
    public async Task AgentWithAJoinToken_RegistersWithItsOwnNodeCredentials_AndReusesThemOnRestart()
    {
        var token = (await NodeCluster.RunGantryAsync("token", "create", "--data-dir", cluster.DataDir, "--ttl", "10m")).Trim();
        var nodeName = $"e2e-join-{Guid.NewGuid().ToString("N")[..6]}";
        var dataDir = Leftovers.NewDataDir(nodeName);
        AgentProcess? agent = null;
        try
        {
            agent = StartAgent(token, dataDir, nodeName);
            await NodeCluster.WaitForNodeReadyAsync(K, nodeName);
            var tls = Path.Combine(dataDir, "agent", "tls");
            using var client = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(tls, "client.crt")));
            Assert.Equal($"system:node:{nodeName}", client.GetNameInfo(X509NameType.SimpleName, false));
            var issued = File.GetLastWriteTimeUtc(Path.Combine(tls, "client.crt"));
            Assert.Equal(nodeName, (await K.RunAsync(["get", "lease", "-n", "kube-node-lease", nodeName, "-o", "jsonpath={.spec.holderIdentity}"])).Ok());

            await StopAsync(agent);
            agent = StartAgent(token, dataDir, nodeName);
            await Gantry.Testing.Eventually.HoldsAsync(() => Task.FromResult(agent.Process.HasExited || agent.Output.Contains("running")),
                "the agent to run again", TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(250));
            Assert.False(agent.Process.HasExited, agent.Output);
            Assert.Equal(issued, File.GetLastWriteTimeUtc(Path.Combine(tls, "client.crt")));
        }
        finally
        {
            if (agent is not null) await StopAsync(agent);
            await NodeCleanup.RunAsync(dataDir, nodeName);
            await K.RunAsync(["delete", "node", nodeName, "--ignore-not-found"]);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private AgentProcess StartAgent(string token, string dataDir, string nodeName)
    {
        var info = new ProcessStartInfo(Paths.Gantry) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["agent", "--server", cluster.Server.Url, "--token", token, "--data-dir", dataDir,
            "--node-name", nodeName, "--node-ip", "127.0.0.1", "--kubelet-port", "0"])
            info.ArgumentList.Add(a);
        var agent = new AgentProcess(new Process { StartInfo = info });
        agent.Process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        agent.Process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        agent.Process.Start();
        agent.Process.BeginOutputReadLine();
        agent.Process.BeginErrorReadLine();
        return agent;
    }

    private static async Task StopAsync(AgentProcess agent)
    {
        if (!agent.Process.HasExited)
        {
            agent.Process.Kill(entireProcessTree: true);
            await agent.Process.WaitForExitAsync();
        }
        agent.Process.Dispose();
    }

    /// <summary>An agent process and what it printed.</summary>
    private sealed class AgentProcess(Process process)
    {
        private readonly System.Text.StringBuilder _output = new();

        public Process Process => process;

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public void Append(string? line)
        {
            lock (_output) _output.AppendLine(line);
        }
    }
}
