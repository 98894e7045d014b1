using Gantry.Controllers.Deployment;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;

namespace Gantry.Controllers.Tests.Deployment;

/// <summary>One API server running the Deployment controller and the stand-in ReplicaSet controller, shared by a test class.</summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    private TestCluster? _cluster;

    /// <summary>The running cluster.</summary>
    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    /// <summary>Starts the server and controllers.</summary>
    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(new ControllerOptions { Workers = 2 },
        c => new DeploymentController(c), c => new FakeReplicaSetController(c, TimeSpan.FromMilliseconds(150)));

    /// <summary>Stops everything.</summary>
    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    /// <summary>A Deployment of <paramref name="replicas"/> pods running <paramref name="image"/>, labelled app=<paramref name="name"/>.</summary>
    public static V1Deployment NewDeployment(string name, int replicas, string image = "nginx:1.0") => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = image }] },
            },
        },
    };
}
