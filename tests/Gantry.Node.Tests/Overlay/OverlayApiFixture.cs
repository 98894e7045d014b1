using Gantry.Testing;

namespace Gantry.Node.Tests.Overlay;

/// <summary>One in-process API server for the overlay traffic tests; each test uses node names of its own.</summary>
public sealed class OverlayApiFixture : IAsyncLifetime
{
    internal InProcessApiServer Api { get; private set; } = null!;

    public async Task InitializeAsync() => Api = await InProcessApiServer.StartAsync("gantry-overlay-test-");

    public async Task DisposeAsync()
    {
        if (Api is not null) await Api.DisposeAsync();
    }
}
