using Microsoft.Extensions.Hosting;

namespace Gantry.Node.Streaming;

/// <summary>
/// A host lifetime that ignores process signals. The default ConsoleLifetime takes SIGTERM for itself: it would stop only
/// the streaming server and keep the signal from the agent's own shutdown, leaving `gantry agent` running after a TERM.
/// The agent stops the server through its cancellation token instead.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
