namespace Gantry.Bench.Controllers;

/// <summary>Sizes of the controllers suite: the full run that RESULTS.md records, or a smoke run of a few seconds.</summary>
internal sealed record ControllerSizes
{
    /// <summary>Replicas the ReplicaSet is scaled to; the API reference creates half as many pods directly.</summary>
    public int ScaleReplicas { get; init; } = 10_000;

    /// <summary>Concurrent direct creates for the API reference (the bench's "high concurrency").</summary>
    public int CreateConcurrency { get; init; } = 64;

    /// <summary>Longest wait for the controller to reach the scale; a run that takes longer is a failure.</summary>
    public TimeSpan ScaleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public int Deployments { get; init; } = 1_000;

    /// <summary>The steady-state window (and the idle reference window before it).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Rest after the server's start before the idle reference window, so start-up work (JIT, tiering) is not counted as idle.</summary>
    public TimeSpan Rest { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the deployments to converge and then for writes to stop before measuring.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public static ControllerSizes For(BenchSettings settings) => settings.Smoke
        ? new ControllerSizes
        {
            ScaleReplicas = 50,
            CreateConcurrency = 8,
            ScaleTimeout = TimeSpan.FromSeconds(60),
            Deployments = 20,
            Window = TimeSpan.FromSeconds(3),
            Rest = TimeSpan.FromSeconds(1),
            SettleTimeout = TimeSpan.FromSeconds(60),
        }
        : new ControllerSizes();
}
