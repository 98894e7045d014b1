using System.Diagnostics;
using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Clients;

/// <summary>The official Kubernetes Python client (Debian's python3-kubernetes) against the server's own kubeconfig.</summary>
[Collection(ServerCollection.Name)]
public sealed class PythonClientTests(ServerFixture fixture)
{
    // The Debian interpreter, not a pyenv one on PATH: python3-kubernetes is installed for it.
    private const string Python = "/usr/bin/python3";

    private static string Script(string name) => Path.Combine(Paths.RepoRoot, "tests", "Gantry.ApiServer.Tests", "Clients", "python", name);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunPythonAsync(params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is required (apt-get install -y python3 python3-kubernetes)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python {string.Join(' ', args)} timed out; output so far:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task PythonClient_CrudAndWatch_Work()
    {
        var probe = await RunPythonAsync("-c", "import kubernetes; print(kubernetes.__version__)");
        Assert.True(probe.ExitCode == 0, $"the Python kubernetes module is required (apt-get install -y python3-kubernetes): {probe.Stderr}");

        var ns = "py-" + Guid.NewGuid().ToString("N")[..10];
        var (exitCode, stdout, stderr) = await RunPythonAsync(Script("client_roundtrip.py"), fixture.Server.Kubeconfig, ns);
        Assert.True(exitCode == 0, $"python client failed ({exitCode}):\n{stdout}\n{stderr}");
        var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        string R(string key) => results.TryGetValue(key, out var v) ? v : throw new Xunit.Sdk.XunitException($"no '{key}' in output:\n{stdout}\n{stderr}");

        Assert.Equal("True", R("pod.uid.set"));
        Assert.Equal("True", R("pod.read.uid.same"));
        Assert.Equal("web-1,web-2", R("pod.list.web"));
        Assert.Equal("front", R("pod.replace.tier"));
        Assert.Equal("409", R("pod.replace.stale.status"));
        Assert.Equal("main:busybox:1.37", R("pod.strategic.containers"));
        Assert.Equal("merged", R("pod.merge.note"));
        Assert.Equal("back", R("pod.jsonpatch.tier"));
        Assert.Equal("db-1,web-1", R("pod.list.after.delete"));
        Assert.Equal("404", R("pod.missing.status"));
        Assert.Equal("2", R("deploy.replicas"));
        Assert.Equal("3", R("deploy.replace.replicas"));
        Assert.Equal("sidecar,web", R("deploy.strategic.containers"));
        Assert.Equal("5", R("deploy.merge.replicas"));
        Assert.Equal("web", R("deploy.list"));
        Assert.Equal("0", R("deploy.list.after.delete"));
        Assert.Equal("", R("watch.errors"));
        Assert.Equal("ADDED:watched,MODIFIED:watched,DELETED:watched", R("watch.events"));
        Assert.Equal("db-1,web-1", R("pod.list.final"));
        Assert.Equal("True", R("done"));
        Assert.Equal("v1.32.0+gantry", R("version"));
    }
}
