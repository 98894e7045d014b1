namespace Gantry.Bench;

/// <summary>Sizes of every suite: the full run that RESULTS.md records, or a smoke run of a few seconds for CI.</summary>
internal sealed record BenchSettings
{
    public bool Smoke { get; init; }

    public int StoreWrites { get; init; } = 20_000;

    public int StoreConcurrency { get; init; } = 64;

    public int Connections { get; init; } = 2;

    public int GetConcurrency { get; init; } = 64;

    public int CreateConcurrency { get; init; } = 64;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan ThroughputDuration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(10);

    public double GetTarget { get; init; } = 20_000;

    public double CreateTarget { get; init; } = 5_000;

    public int Watchers { get; init; } = 1_000;

    public double WatchWriteRate { get; init; } = 100;

    public TimeSpan WatchDuration { get; init; } = TimeSpan.FromSeconds(20);

    public int Pods { get; init; } = 10_000;

    public int Starts { get; init; } = 5;

    public static BenchSettings Full { get; } = new();

    /// <summary>Tiny sizes: proves every code path still works, measures nothing worth recording.</summary>
    public static BenchSettings SmokeSizes { get; } = new()
    {
        Smoke = true,
        StoreWrites = 200,
        StoreConcurrency = 8,
        GetConcurrency = 4,
        CreateConcurrency = 4,
        Warmup = TimeSpan.FromMilliseconds(200),
        ThroughputDuration = TimeSpan.FromMilliseconds(500),
        LatencyDuration = TimeSpan.FromMilliseconds(500),
        GetTarget = 200,
        CreateTarget = 100,
        Watchers = 10,
        WatchWriteRate = 20,
        WatchDuration = TimeSpan.FromSeconds(1),
        Pods = 50,
        Starts = 1,
    };
}
