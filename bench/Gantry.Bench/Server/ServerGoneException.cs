namespace Gantry.Bench.Server;

/// <summary>The server process ended while a suite used it (on a shared machine, often a signal from another process).</summary>
internal sealed class ServerGoneException(string message) : InvalidOperationException(message);
