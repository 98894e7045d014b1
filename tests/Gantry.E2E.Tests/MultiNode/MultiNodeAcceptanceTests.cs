using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Gantry.Testing.Processes;
using static Gantry.E2E.Tests.MultiNode.Pods;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>
/// Issue 7's acceptance that reaches into pods on remote nodes with kubectl exec: a two-tier app reached by DNS from
/// every node and through its NodePort on every node and 127.0.0.1, balanced over ready replicas only; a pod reads the
/// API through kubernetes.default.svc; logs and exec reach remote nodes.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class MultiNodeAcceptanceTests(NetnsCluster cluster)
{
    private Kubectl K => cluster.Kubectl;

    // Inside pods, busybox wget runs under busybox timeout: its own -T makes Debian's busybox-static 1.35 crash (SIGSEGV, exit 139).

    [Fact]
    public async Task TwoTierApp_AnswersByDnsFromEveryNode_AndThroughTheNodePortOnEveryNode_OverReadyReplicasOnly()
    {
        var app = await TwoTierApp.DeployAsync(K, frontends: 3);
        var frontends = await app.ServingPodsAsync("frontend");
        Assert.Equal(cluster.Machines.Select(m => m.NodeName).Order(), frontends.Select(p => NodeName(p)!).Order());
        var backend = Assert.Single(await app.ServingPodsAsync("backend"));

        foreach (var frontend in frontends)
        {
            foreach (var host in new[] { "backend", $"backend.{app.Namespace}.svc.cluster.local" })
            {
                var answer = await K.RunAsync(["exec", "-n", app.Namespace, Name(frontend), "--", "timeout", "5", "wget", "-q", "-O-", $"http://{host}:5432/"]);
                Assert.True(answer.ExitCode == 0, $"{Name(frontend)} on {NodeName(frontend)} could not reach http://{host}:5432/: {answer.Stderr}");
                Assert.Equal($"backend {Name(backend)}", answer.Stdout.Trim());
            }
        }

        var nodePort = await app.NodePortAsync();
        var names = frontends.Select(Name).ToHashSet();
        foreach (var from in cluster.Machines)
        {
            foreach (var address in cluster.Machines.Select(m => m.Address).Append("127.0.0.1"))
            {
                var answer = await from.HttpGetAsync($"http://{address}:{nodePort}/");
                Assert.True(answer.ExitCode == 0, $"NodePort {address}:{nodePort} from {from}: {answer.Stderr}");
                Assert.Contains(answer.Stdout.Trim(), names);
            }
        }

        await ServiceChecks.WaitForAnswersAsync(cluster.Machine(1), $"http://{cluster.Machine(1).Address}:{nodePort}/", names, 60);

        var unready = frontends.Single(p => NodeName(p) == cluster.Machine(2).NodeName);
        (await K.RunAsync(["exec", "-n", app.Namespace, Name(unready), "--", "rm", "/www/healthz"])).Ok();
        (await K.RunAsync(["wait", "-n", app.Namespace, "--for=condition=Ready=false", $"pod/{Name(unready)}", "--timeout=30s"], timeout: TimeSpan.FromMinutes(1))).Ok();
        await K.WaitForEndpointsAsync(app.Namespace, "frontend", names.Count - 1);
        var ready = names.Where(n => n != Name(unready)).ToHashSet();
        foreach (var from in cluster.Machines) await ServiceChecks.WaitForAnswersAsync(from, $"http://127.0.0.1:{nodePort}/", ready, 30);
        await app.DeleteAsync();
    }

    [Fact]
    public async Task Pod_ReadsTheApi_ThroughKubernetesDefaultSvc_WithItsServiceAccountToken()
    {
        var ns = await K.NewNamespaceAsync("sa");
        var remote = cluster.Machine(2);
        await K.ApplyAsync(ns, Manifests.GreeterOn("reader", remote.NodeName));
        (await K.RunAsync(["wait", "-n", ns, "--for=condition=Ready", "pod/reader", "--timeout=90s"], timeout: TimeSpan.FromMinutes(2))).Ok();
        const string Secrets = "/var/run/secrets/kubernetes.io/serviceaccount";
        // The pod resolves the name through its own resolv.conf (cluster DNS, search list) with its libc resolver, as any
        // program would; busybox wget names the address it connects to ("Connecting to NAME (IP:PORT)"). Its TLS cannot
        // finish the request: busybox's own TLS shares no cipher suite with the API server (it uses openssl only where
        // installed), so the request itself is made below with curl in the pod's network namespace.
        var attempt = await K.RunAsync(["exec", "-n", ns, "reader", "--", "timeout", "5", "wget", "-O", "/dev/null", "--no-check-certificate", "https://kubernetes.default.svc/api"]);
        var connecting = (attempt.Stdout + attempt.Stderr).Split('\n').FirstOrDefault(l => l.StartsWith("Connecting to kubernetes.default.svc (", StringComparison.Ordinal));
        Assert.True(connecting is not null, $"the pod on {remote} could not resolve kubernetes.default.svc: {attempt.Stdout}{attempt.Stderr}");
        var address = connecting!["Connecting to kubernetes.default.svc (".Length..connecting.IndexOf(':')];
        Assert.Equal(await K.JsonPathAsync("default", "service/kubernetes", "{.spec.clusterIP}"), address);

        // Out of the pod's own network namespace, with its token and its CA, the certificate checked against kubernetes.default.svc.
        var token = (await K.RunAsync(["exec", "-n", ns, "reader", "--", "cat", $"{Secrets}/token"])).Ok().Trim();
        var ca = Path.Combine(remote.DataDir, $"sa-ca-{ns}.crt");
        await File.WriteAllTextAsync(ca, (await K.RunAsync(["exec", "-n", ns, "reader", "--", "cat", $"{Secrets}/ca.crt"])).Ok());
        var uid = await K.JsonPathAsync(ns, "pod/reader", "{.metadata.uid}");
        var podNetns = Directory.GetDirectories(remote.Paths.SandboxesDir)
            .Single(d => File.ReadAllText(Path.Combine(d, "sandbox.json")).Contains($"\"podUid\":\"{uid}\"", StringComparison.Ordinal));
        var read = await Harness.Shell.RunAsync(["nsenter", $"--net={Path.Combine(podNetns, "ns", "net")}", "curl", "-sS", "--max-time", "5", "--cacert", ca,
            "--resolve", $"kubernetes.default.svc:443:{address}", "-H", $"Authorization: Bearer {token}", "https://kubernetes.default.svc/api"]);
        Assert.True(read.ExitCode == 0, $"GET https://kubernetes.default.svc/api from the pod's network on {remote}: {read.Stderr}");
        var versions = JsonNode.Parse(read.Stdout)!;
        Assert.Equal("APIVersions", (string?)versions["kind"]);
        Assert.Contains("v1", versions["versions"]!.AsArray().Select(v => (string?)v));
        (await K.RunAsync(["delete", "namespace", ns, "--wait=false"])).Ok();
    }

    [Fact]
    public async Task LogsAndExec_ReachPodsOnRemoteNodes()
    {
        var ns = await K.NewNamespaceAsync("remote");
        foreach (var machine in cluster.Machines.Skip(1))
        {
            var pod = $"greeter-{machine.Index}";
            await K.ApplyAsync(ns, Manifests.GreeterOn(pod, machine.NodeName));
            (await K.RunAsync(["wait", "-n", ns, "--for=condition=Ready", $"pod/{pod}", "--timeout=90s"], timeout: TimeSpan.FromMinutes(2))).Ok();
            var logs = await K.RunAsync(["logs", "-n", ns, pod]);
            Assert.True(logs.ExitCode == 0, $"kubectl logs of a pod on {machine}: {logs.Stderr}");
            Assert.Equal($"hello from {pod}", logs.Stdout.Trim());
            var exec = await K.RunAsync(["exec", "-n", ns, pod, "--", "sh", "-c", "echo $((6 * 7)); exit 4"]);
            Assert.True(exec.ExitCode == 4, $"kubectl exec in a pod on {machine} exited {exec.ExitCode}: {exec.Stderr}");
            Assert.Equal("42", exec.Stdout.Trim());
        }
        (await K.RunAsync(["delete", "namespace", ns, "--wait=false"])).Ok();
    }
}
