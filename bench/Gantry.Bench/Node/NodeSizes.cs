namespace Gantry.Bench.Node;

/// <summary>Sizes of the node suite: the issue's, or a smoke run that still starts real pods.</summary>
internal sealed record NodeSizes(int Serial, int Burst, int Density, TimeSpan Settle)
{
    public static NodeSizes Full { get; } = new(50, 100, 250, TimeSpan.FromSeconds(10));

    public static NodeSizes Smoke { get; } = new(2, 3, 3, TimeSpan.FromSeconds(1));
}
