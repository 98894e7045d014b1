namespace Gantry.Controllers.Tests.Deployment;

/// <summary>The Deployment test classes share one cluster and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DeploymentCollection : ICollectionFixture<DeploymentFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "deployment";
}
