namespace Gantry.Controllers.EndpointSlice;

/// <summary>Settings of the endpointslice controller, with Kubernetes' defaults.</summary>
public sealed record EndpointSliceOptions
{
    /// <summary>Workers (--concurrent-service-endpoint-syncs).</summary>
    public int Workers { get; init; } = 5;

    /// <summary>Endpoints per slice (--max-endpoints-per-slice).</summary>
    public int MaxEndpointsPerSlice { get; init; } = 100;
}
