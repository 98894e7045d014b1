namespace Gantry.Client.Tests.Harness;

/// <summary>One in-process server shared by the tests of the <see cref="ServerCollection"/>.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private TestServer? _server;
    private ApiClient? _client;

    /// <summary>The running server.</summary>
    public TestServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>A client of the server.</summary>
    public ApiClient Client => _client ?? throw new InvalidOperationException("not started");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _client = _server.Client();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        _client?.Dispose();
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
