using Gantry.Client;
using Gantry.Controllers.ServiceAccount;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.ServiceAccount;

public sealed class ServiceAccountControllerTests
{
    [Fact]
    public async Task ANewNamespace_GetsADefaultServiceAccount()
    {
        await using var cluster = await TestCluster.StartAsync(c => new ServiceAccountController(c));

        await cluster.Client.For<V1Namespace>().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } });

        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1ServiceAccount>().GetAsync("team-a", "default") is not null,
            "the default service account");
    }

    [Fact]
    public async Task ADeletedDefaultServiceAccount_IsRecreated()
    {
        await using var cluster = await TestCluster.StartAsync(c => new ServiceAccountController(c));
        await TestCluster.EventuallyAsync(async () => await cluster.Client.For<V1ServiceAccount>().GetAsync("default", "default") is not null,
            "the default service account of an existing namespace");
        var first = await cluster.Client.For<V1ServiceAccount>().GetAsync("default", "default");

        await cluster.Client.For<V1ServiceAccount>().DeleteAsync("default", "default");

        await TestCluster.EventuallyAsync(async () =>
            (await cluster.Client.For<V1ServiceAccount>().GetAsync("default", "default"))?.Metadata.Uid is { } uid && uid != first!.Metadata.Uid,
            "a new default service account");
    }
}
