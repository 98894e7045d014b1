using Gantry.Client;
using Gantry.Node;
using Gantry.Node.Pods;
using Microsoft.Extensions.Logging;

namespace Gantry.Cli;

/// <summary>
/// Builds the node agent over this machine's real container runtime (runc), image service, CNI pod network and volume
/// manager. Until those are merged it refuses with a clear error: the agent never falls back to a fake runtime.
/// </summary>
internal static class AgentFactory
{
    /// <summary>Whether <see cref="Create"/> builds a real agent yet.</summary>
    public static bool IsWired => false;

    /// <summary>Why <see cref="Create"/> refuses while <see cref="IsWired"/> is false.</summary>
    public const string NotWiredMessage =
        "the node agent is not yet wired to its container runtime, image service, CNI network and volume manager in this build";

    /// <summary>The agent for <paramref name="options"/>.NodeName keeping its state under <paramref name="paths"/>.</summary>
    public static NodeAgent Create(IApiClient client, NodeAgentOptions options, NodePaths paths, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(loggers);
        throw new InvalidOperationException(NotWiredMessage);
    }
}
