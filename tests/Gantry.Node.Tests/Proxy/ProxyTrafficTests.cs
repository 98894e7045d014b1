using System.Collections.Concurrent;
using System.Diagnostics;
using Gantry.Client.Informers;
using Gantry.Node.Network.Proxy;
using Gantry.Testing;
using k8s.Models;
using static Gantry.Node.Tests.Proxy.ProxyObjects;

namespace Gantry.Node.Tests.Proxy;

/// <summary>Real connections through the rules the proxy programs, all inside the test's network namespaces.</summary>
public sealed class ProxyTrafficTests(ProxyFixture fixture) : IClassFixture<ProxyFixture>
{
    private ProxyNode Node => fixture.Node;

    [Fact]
    public async Task ClusterIP_BalancesOverEveryReadyEndpoint_AndANotReadyOneGetsNothing()
    {
        var (b1, b2, b3) = (Node.Backends[0], Node.Backends[1], Node.Backends[2]);
        await fixture.CreateAsync(Service("balanced", "10.43.233.10"), Slice("balanced", 80, [new Endpoint(b1), new Endpoint(b2), new Endpoint(b3, Ready: false)]));
        await ReachableAsync("http://10.43.233.10/");

        var answers = (await Node.FetchAsync("http://10.43.233.10/", times: 40)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(40, answers.Length);
        Assert.DoesNotContain("FAILED", answers);
        Assert.Contains(b1, answers);
        Assert.Contains(b2, answers);
        Assert.DoesNotContain(b3, answers);
    }

    [Fact]
    public async Task NodePort_AnswersOnLocalhostOfTheNode()
    {
        await fixture.CreateAsync(Service("nodeport", "10.43.233.11", nodePort: 30080), Slice("nodeport", 80, [new Endpoint(Node.Backends[1])]));

        await ReachableAsync("http://127.0.0.1:30080/");

        Assert.Equal(Node.Backends[1], (await Node.FetchAsync("http://127.0.0.1:30080/")).Output.Trim());
        Assert.Equal(Node.Backends[1], (await Node.FetchAsync("http://10.232.0.1:30080/")).Output.Trim());
    }

    [Fact]
    public async Task ServiceWithoutEndpoints_RefusesConnections()
    {
        await fixture.CreateAsync(Service("empty", "10.43.233.12"), null);
        var table = fixture.Proxy.TableName;
        await Eventually.HoldsAsync(async () => (await Node.ListTableAsync(table))?.Contains("10.43.233.12 . tcp . 80 : goto reject-chain", StringComparison.Ordinal) == true,
            "the no-endpoint element");

        var stopwatch = Stopwatch.StartNew();
        var error = await Node.ConnectAsync("10.43.233.12", 80);

        Assert.Contains("Connection refused", error, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"a reject answers at once, took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task BackendReachingItselfThroughItsService_IsAnsweredThanksToHairpinMasquerade()
    {
        await fixture.CreateAsync(Service("hairpin", "10.43.233.13"), Slice("hairpin", 80, [new Endpoint(Node.Backends[0])]));
        await ReachableAsync("http://10.43.233.13/");

        var result = await Node.FetchFromBackendAsync(0, "http://10.43.233.13/");

        Assert.Equal(Node.Backends[0], result.Output.Trim());
    }

    [Fact]
    public async Task NodesOwnConnectionToAClusterIP_IsMasqueradedKeepingItsSourcePort()
    {
        await fixture.CreateAsync(Service("node-client", "10.43.233.17"), Slice("node-client", 80, [new Endpoint(Node.Backends[1])]));
        await ReachableAsync("http://10.43.233.17/");
        // A node address outside the cluster CIDR, as a node's own IP: such clients are masqueraded (kube-proxy's rule).
        await Node.ExecCheckedAsync("ip", "addr", "replace", "10.231.0.1/32", "dev", "lo");

        var output = await Node.ExecCheckedAsync("curl", "-sS", "-m", "3", "--interface", "10.231.0.1", "-w", " %{local_port}", "http://10.43.233.17/cgi-bin/peer");

        // e.g. "[::ffff:10.232.0.1]:41234\n 41234": the backend saw the bridge's address and the port the client bound.
        var parts = output.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, parts.Length);
        Assert.Contains("10.232.0.1]:", parts[0], StringComparison.Ordinal);
        Assert.Equal(parts[1], parts[0][(parts[0].LastIndexOf(':') + 1)..]);
    }

    [Fact]
    public async Task ClientIPAffinity_KeepsAClientOnOneEndpoint()
    {
        await fixture.CreateAsync(Service("sticky", "10.43.233.15", affinity: "ClientIP"),
            Slice("sticky", 80, [new Endpoint(Node.Backends[0]), new Endpoint(Node.Backends[1]), new Endpoint(Node.Backends[2])]));
        await ReachableAsync("http://10.43.233.15/");

        var answers = (await Node.FetchAsync("http://10.43.233.15/", times: 15)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(15, answers.Length);
        Assert.Single(answers.Distinct());
        Assert.Contains(answers[0], Node.Backends);
    }

    [Fact]
    public async Task RemovingTheService_RemovesAllItsRules()
    {
        await fixture.CreateAsync(Service("removed", "10.43.233.14", nodePort: 30081), Slice("removed", 80, [new Endpoint(Node.Backends[2])]));
        await ReachableAsync("http://10.43.233.14/");
        var table = fixture.Proxy.TableName;
        Assert.Contains("default/removed/", await Node.ListTableAsync(table), StringComparison.Ordinal);

        await fixture.Api.Client.For<V1Service>().DeleteAsync("default", "removed");
        await fixture.Api.Client.For<V1EndpointSlice>().DeleteAsync("default", "removed-abc12");

        await Eventually.HoldsAsync(async () =>
        {
            var listing = await Node.ListTableAsync(table);
            return listing is not null && !listing.Contains("default/removed/", StringComparison.Ordinal)
                && !listing.Contains("10.43.233.14", StringComparison.Ordinal) && !listing.Contains("30081", StringComparison.Ordinal);
        }, "the removed service's chains and elements to be gone");
        Assert.Contains("FAILED", (await Node.FetchAsync("http://10.43.233.14/")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableDeletedBehindItsBack_IsWrittenWholeAgainByTheNextSync()
    {
        // Every sync is recorded: a later one (deleting chains an earlier test flushed) may follow the repair.
        var syncs = new ConcurrentQueue<ServiceProxySync>();
        void Record(object? sender, ServiceProxySync sync) => syncs.Enqueue(sync);
        fixture.Proxy.Synced += Record;
        try
        {
            await Node.ExecCheckedAsync("nft", "delete", "table", "ip", fixture.Proxy.TableName);

            // The next diff fails on the missing table; the proxy falls back to a full sync.
            await fixture.CreateAsync(Service("rewritten", "10.43.233.16"), Slice("rewritten", 80, [new Endpoint(Node.Backends[2])]));

            await ReachableAsync("http://10.43.233.16/");
            // The rules answer as soon as nft applied them, a moment before the proxy reports the sync.
            await Eventually.HoldsAsync(() => Task.FromResult(syncs.Any(s => s.Full)), "the repairing sync to be a full one", TimeSpan.FromSeconds(5));
        }
        finally
        {
            fixture.Proxy.Synced -= Record;
        }
    }

    [Fact]
    public async Task ProxiesOfTwoNodes_OwnSeparateTables_AndDisposeDeletesOnlyItsOwn()
    {
        await using var informers = new SharedInformerFactory(fixture.Api.Client);
        var other = fixture.StartProxy("proxy-test-other-node", informers, out var running);
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(other.LastSync is not null), "the other proxy's first sync");
            Assert.NotEqual(fixture.Proxy.TableName, other.TableName);
            Assert.NotNull(await Node.ListTableAsync(other.TableName));
        }
        finally
        {
            await other.DisposeAsync();
        }

        Assert.Null(await Node.ListTableAsync(other.TableName));
        Assert.NotNull(await Node.ListTableAsync(fixture.Proxy.TableName));
        _ = running;
    }

    private async Task ReachableAsync(string url)
    {
        try
        {
            // A backend's answer is its address: an empty output (the fetch itself did not run) is no answer.
            await Eventually.HoldsAsync(async () => Node.Backends.Contains((await Node.FetchAsync(url)).Output.Trim()), $"{url} to answer", TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            var last = await Node.FetchAsync(url);
            Assert.Fail($"{url} does not answer: {last.Error}\n{await Node.ListTableAsync(fixture.Proxy.TableName)}");
        }
    }
}
