namespace Gantry.Controllers.EndpointSliceMirroring;

/// <summary>Settings of the endpointslice-mirroring controller, with Kubernetes' defaults.</summary>
public sealed record EndpointSliceMirroringOptions
{
    /// <summary>Workers (--mirroring-concurrent-service-endpoint-syncs).</summary>
    public int Workers { get; init; } = 5;

    /// <summary>Addresses mirrored per Endpoints subset, so one subset maps to one slice (--mirroring-max-endpoints-per-subset).</summary>
    public int MaxEndpointsPerSubset { get; init; } = 1000;
}
