namespace Gantry.Bench.Node;

/// <summary>Sizes of the node suite: the issue's, or a smoke run that still starts real pods.</summary>
/// <param name="IdleAge">
/// The youngest a server process is read for an idle figure: past its startup (`gantry server` gives the startup garbage
/// back 15 s after it started, or 5 s after its node is Ready if later), plus the settle time.
/// </param>
internal sealed record NodeSizes(int Serial, int Burst, int Density, TimeSpan Settle, TimeSpan IdleAge)
{
    public static NodeSizes Full { get; } = new(50, 100, 250, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(25));

    public static NodeSizes Smoke { get; } = new(2, 3, 3, TimeSpan.FromSeconds(1), TimeSpan.Zero);

    /// <summary>Waits the settle time, and longer if the process is younger than <see cref="IdleAge"/>.</summary>
    public async Task SettleIdleAsync(System.Diagnostics.Process process)
    {
        await Task.Delay(Settle);
        var age = DateTime.Now - process.StartTime;
        if (age < IdleAge) await Task.Delay(IdleAge - age);
    }
}
