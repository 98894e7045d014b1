using System.Net;
using Gantry.E2E.Tests.Harness;
using Gantry.Node.Network;
using Gantry.Node.Network.Proxy;
using Gantry.Testing;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Services;

/// <summary>
/// The services walk-through on real containers: cluster DNS (served node-locally at the kube-dns IP), the
/// nftables service proxy (ClusterIP, NodePort, LoadBalancer through ServiceLB, session affinity, readiness) and the
/// service environment, seen from a client pod and from the host, and no rules left behind when services go.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ServiceTests(NodeCluster cluster)
{
    private static readonly IPAddress OutsideAddress = IPAddress.Parse("203.0.113.7");

    private Kubectl K => cluster.Kubectl;

    [Fact]
    public async Task Services_AreResolvedAndBalanced_FromPodsAndTheHost_AndLeaveNoRulesBehind()
    {
        var ns = await K.NewNamespaceAsync("svc");
        await K.ApplyAsync(ns, ServiceManifests.Backends);
        (await K.RunAsync(["rollout", "status", "-n", ns, "deployment/backend", "--timeout=120s"], timeout: TimeSpan.FromMinutes(3))).Ok();
        await K.ApplyAsync(ns, ServiceManifests.Clients);
        (await K.RunAsync(["wait", "-n", ns, "--for=condition=Ready", "pod/client", "pod/host-dns", "--timeout=120s"], timeout: TimeSpan.FromMinutes(3))).Ok();
        var backends = (await K.RunAsync(["get", "pods", "-n", ns, "-l", "app=backend", "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{\"\\n\"}{end}"])).Ok()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(f => f[0], f => f[1]);
        var ready = backends.Keys.Where(n => n != "unready").Order().ToList();
        Assert.Equal(2, ready.Count);
        var clusterIp = await K.JsonPathAsync(ns, "service/backend", "{.spec.clusterIP}");
        var table = new ServiceProxyOptions { NodeName = cluster.NodeName }.TableName;
        // No traffic to a ClusterIP before the proxy DNATs it: without its rules the packets would be routed off the machine.
        foreach (var service in new[] { "backend", "backend-sticky" })
        {
            var ip = await K.JsonPathAsync(ns, $"service/{service}", "{.spec.clusterIP}");
            await Eventually.HoldsAsync(async () => (await HostAsync("nft", "list", "map", "ip", table, "service-ips")).Contains($"{ip} . tcp . 80 : goto", StringComparison.Ordinal),
                $"the proxy to program {service}", TimeSpan.FromSeconds(30));
        }

        // ClusterFirst pods ask the cluster DNS with the Kubernetes search path; Default pods get the node's --resolv-conf.
        Assert.Equal($"search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver {cluster.ClusterDns}\noptions ndots:5\n",
            await ClientAsync(ns, "cat /etc/resolv.conf"));
        Assert.Equal($"nameserver {cluster.DnsUpstream}\n", (await K.RunAsync(["exec", "-n", ns, "host-dns", "--", "cat", "/etc/resolv.conf"])).Ok());

        // The DNS interface is up with the kube-dns IP, and pods resolve service names through it.
        Assert.Contains(cluster.ClusterDns.ToString(), await HostAsync("ip", "-br", "addr", "show", "dev", NodeDnsInterface.NameFor(cluster.NodeName)));
        Assert.Contains($"Address: {clusterIp}", await ClientUntilAsync(ns, $"nslookup backend.{ns}.svc.cluster.local", o => o.Contains(clusterIp)));

        // Short names go through the search path (ndots:5); requests spread over the ready backends (random balancing),
        // never the unready pod. The rollout is done once the pods are ready; the EndpointSlice and the proxy follow
        // asynchronously, so the client asks until every ready backend has answered (CI once saw one of two in 30).
        // (busybox-static's wget crashes with -T: the exec's own timeout bounds a hung request.)
        static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var answers = Lines(await ClientUntilAsync(ns, "for i in $(seq 30); do wget -qO- http://backend; done",
            o => Lines(o) is { Length: 30 } lines && lines.Distinct().Order().SequenceEqual(ready)));
        Assert.Equal(30, answers.Length);
        Assert.Equal(ready, answers.Distinct().Order());

        var sticky = (await ClientAsync(ns, "for i in $(seq 10); do wget -qO- http://backend-sticky; done")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, sticky.Length);
        Assert.Single(sticky.Distinct());

        // Hairpin: a backend reaching its own Service is sometimes balanced to itself, and that works too.
        var hairpin = (await K.RunAsync(["exec", "-n", ns, ready[0], "--", "sh", "-c", "for i in $(seq 20); do wget -qO- http://backend; done"],
            timeout: TimeSpan.FromMinutes(1))).Ok().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, hairpin.Length);
        Assert.Contains(ready[0], hairpin);

        var headless = await ClientAsync(ns, $"nslookup backend-headless.{ns}.svc.cluster.local");
        Assert.All(ready, pod => Assert.Contains(backends[pod], headless));
        Assert.DoesNotContain(backends["unready"], headless);

        Assert.Equal(clusterIp, (await ClientAsync(ns, "echo $BACKEND_SERVICE_HOST")).Trim());
        Assert.Equal("80", (await ClientAsync(ns, "echo $BACKEND_SERVICE_PORT")).Trim());

        // Names outside the cluster go to the --resolv-conf upstream (a stub on a loopback address, never the real world).
        await using (var stub = StubDnsServer.Start(cluster.DnsUpstream, new Dictionary<string, IPAddress> { ["outside.example"] = OutsideAddress }))
        {
            Assert.Contains($"Address: {OutsideAddress}", await ClientAsync(ns, "nslookup outside.example"));
            Assert.Contains("outside.example", stub.Questions);
        }

        // The API server through its DNS name and ClusterIP. busybox's TLS offers no cipher suite the API server accepts, so
        // from the pod the proof is the TCP connection; the host completes the TLS request through the same ClusterIP.
        Assert.Contains("open", await ClientAsync(ns, "nc -w 5 kubernetes.default.svc 443 </dev/null && echo open"));
        // Only once the proxy DNATs it (see above).
        Assert.Contains("10.43.0.1 . tcp . 443", await HostAsync("nft", "list", "table", "ip", table));
        using (var insecure = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { Timeout = TimeSpan.FromSeconds(5) })
            Assert.Equal("ok", await insecure.GetStringAsync("https://10.43.0.1/healthz"));

        // From the host: the NodePort on 127.0.0.1 (the node IP of this fixture; localhost NodePorts need route_localnet)
        // and the load balancer, whose ingress ServiceLB sets to the node's address.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var nodePort = await K.JsonPathAsync(ns, "service/backend-nodeport", "{.spec.ports[0].nodePort}");
        Assert.Contains((await http.GetStringAsync($"http://127.0.0.1:{nodePort}/")).Trim(), ready);
        await Eventually.HoldsAsync(async () => await K.JsonPathAsync(ns, "service/backend-lb", "{.status.loadBalancer.ingress[*].ip}") == "127.0.0.1",
            "the load balancer ingress", TimeSpan.FromSeconds(30));
        Assert.Contains((await http.GetStringAsync($"http://127.0.0.1:{ServiceManifests.LoadBalancerPort}/")).Trim(), ready);

        // Deleted services leave no chain, map element or set behind.
        Assert.Contains($"{ns}/backend", await HostAsync("nft", "list", "table", "ip", table));
        (await K.RunAsync(["delete", "service", "-n", ns, "--all"])).Ok();
        await Eventually.HoldsAsync(async () => !(await HostAsync("nft", "list", "table", "ip", table)).Contains(ns, StringComparison.Ordinal),
            "the proxy to remove the deleted services' rules", TimeSpan.FromSeconds(20));
    }

    private async Task<string> ClientAsync(string ns, string script) =>
        (await K.RunAsync(["exec", "-n", ns, "client", "--", "sh", "-c", script], timeout: TimeSpan.FromMinutes(1))).Ok();

    /// <summary>Runs the script until its output satisfies <paramref name="done"/>: the proxy and DNS follow new endpoints within a second or two.</summary>
    private async Task<string> ClientUntilAsync(string ns, string script, Func<string, bool> done)
    {
        Kubectl.Result? result = null;
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                result = await K.RunAsync(["exec", "-n", ns, "client", "--", "sh", "-c", script], timeout: TimeSpan.FromMinutes(1));
                return done(result.Stdout);
            }, $"`{script}` in the client pod", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException ex)
        {
            var rules = await HostAsync("nft", "list", "table", "ip", new ServiceProxyOptions { NodeName = cluster.NodeName }.TableName);
            throw new TimeoutException($"{ex.Message}: {result?.Stdout} {result?.Stderr}\nproxy rules:\n{rules}", ex);
        }
        return result!.Stdout;
    }

    private static async Task<string> HostAsync(string file, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
