using System.Diagnostics;
using System.Text.RegularExpressions;
using Gantry.E2E.Tests.Harness;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Pods;

/// <summary>
/// The issue's acceptance walk-through on real containers through the real kubectl: a Deployment of busybox httpd
/// pods serving a ConfigMap, read through exec and port-forward, healed when a pod is deleted.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed partial class WebDeploymentTests(NodeCluster cluster)
{
    private const string Page = "hello from a configmap";

    private static string Manifest => $$$"""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-content}
        data:
          index.html: "{{{Page}}}\n"
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: httpd
                image: {{{NodeCluster.Image}}}
                imagePullPolicy: Never
                command: ["httpd", "-f", "-v", "-p", "80", "-h", "/www"]
                ports: [{containerPort: 80}]
                readinessProbe: {httpGet: {path: /index.html, port: 80}, periodSeconds: 1}
                volumeMounts: [{name: content, mountPath: /www}]
              volumes: [{name: content, configMap: {name: web-content}}]
        """;

    private Kubectl K => cluster.Kubectl;

    [Fact]
    public async Task Deployment_ServesItsConfigMap_ThroughExecAndPortForward_AndHealsADeletedPod()
    {
        var ns = await K.NewNamespaceAsync("web");
        await K.ApplyAsync(ns, Manifest);
        (await K.RunAsync(["rollout", "status", "-n", ns, "deployment/web", "--timeout=180s"], timeout: TimeSpan.FromMinutes(4))).Ok();
        var pods = (await K.RunAsync(["get", "pods", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"])).Ok().Split(' ');
        Assert.Equal(3, pods.Length);

        var page = (await K.RunAsync(["exec", "-n", ns, pods[0], "--", "cat", "/www/index.html"])).Ok();
        Assert.Equal(Page, page.Trim());
        // The pod's /etc/hosts names its address: the file is bind-mounted at the create and written once the network is up.
        var ip = (await K.RunAsync(["get", "pod", "-n", ns, pods[0], "-o", "jsonpath={.status.podIP}"])).Ok().Trim();
        Assert.Contains($"{ip}\t{pods[0]}\n", (await K.RunAsync(["exec", "-n", ns, pods[0], "--", "cat", "/etc/hosts"])).Ok(), StringComparison.Ordinal);

        Assert.Equal(Page, (await PortForwardGetAsync(ns, pods[1], "/index.html")).Trim());

        (await K.RunAsync(["delete", "pod", "-n", ns, pods[2], "--wait=true"], timeout: TimeSpan.FromMinutes(2))).Ok();
        (await K.RunAsync(["rollout", "status", "-n", ns, "deployment/web", "--timeout=120s"], timeout: TimeSpan.FromMinutes(3))).Ok();
        var after = (await K.RunAsync(["get", "pods", "-n", ns, "-l", "app=web", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].metadata.name}"])).Ok().Split(' ');
        Assert.Equal(3, after.Length);
        Assert.DoesNotContain(pods[2], after);
    }

    [Fact]
    public async Task Exec_ExitCode_IsKubectlsExitCode()
    {
        var ns = await K.NewNamespaceAsync("exit");
        await K.ApplyAsync(ns, SleeperPod("sleeper"));
        (await K.RunAsync(["wait", "-n", ns, "--for=condition=Ready", "pod/sleeper", "--timeout=120s"], timeout: TimeSpan.FromMinutes(3))).Ok();
        var result = await K.RunAsync(["exec", "-n", ns, "sleeper", "--", "sh", "-c", "echo out; exit 3"]);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("out", result.Stdout);
    }

    internal static string SleeperPod(string name, string extraSpec = "") => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{{name}}}}
        spec:
          terminationGracePeriodSeconds: 1
          {{{extraSpec}}}
          containers:
          - name: main
            image: {{{NodeCluster.Image}}}
            imagePullPolicy: Never
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        """;

    private async Task<string> PortForwardGetAsync(string ns, string pod, string path)
    {
        var info = new ProcessStartInfo(Gantry.Testing.Processes.Paths.Kubectl())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["KUBECONFIG"] = cluster.Server.Kubeconfig;
        foreach (var a in new[] { "port-forward", "-n", ns, $"pod/{pod}", ":80" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        try
        {
            // "Forwarding from 127.0.0.1:41234 -> 80"
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? line;
            int? port = null;
            while (port is null && (line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null)
            {
                var match = ForwardingLine().Match(line);
                if (match.Success) port = int.Parse(match.Groups[1].Value);
            }
            if (port is null)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("kubectl port-forward printed no Forwarding line: " + await process.StandardError.ReadToEndAsync());
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            return await http.GetStringAsync($"http://127.0.0.1:{port}{path}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [GeneratedRegex(@"Forwarding from 127\.0\.0\.1:(\d+) ->")]
    private static partial Regex ForwardingLine();
}
