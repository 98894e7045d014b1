namespace Gantry.Bench.Proxy;

/// <summary>Sizes of the proxy suite: the 1,000 services x 10 endpoints, or a smoke run.</summary>
internal sealed record ProxySizes(int Services, int EndpointsPerService, int WriteConcurrency)
{
    public static ProxySizes For(BenchSettings settings) => settings.Smoke
        ? new ProxySizes(10, 3, 4)
        : new ProxySizes(1_000, 10, 16);
}
