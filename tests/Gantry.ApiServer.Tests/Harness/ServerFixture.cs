namespace Gantry.ApiServer.Tests.Harness;

/// <summary>One server shared by the tests of a collection.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private GantryServer? _server;

    /// <summary>The running server.</summary>
    public GantryServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>kubectl 1.32 against the server.</summary>
    public Gantry.Testing.Processes.Kubectl Kubectl => new(Server);

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await GantryServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The collection sharing one server.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "server";
}
