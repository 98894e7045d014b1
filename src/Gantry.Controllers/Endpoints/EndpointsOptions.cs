namespace Gantry.Controllers.Endpoints;

/// <summary>Settings of the endpoints controller, with Kubernetes' defaults.</summary>
public sealed record EndpointsOptions
{
    /// <summary>Workers (--concurrent-endpoint-syncs).</summary>
    public int Workers { get; init; } = 5;

    /// <summary>Addresses one Endpoints object holds before it is truncated and annotated over-capacity.</summary>
    public int MaxCapacity { get; init; } = 1000;
}
