namespace Gantry.Node.Probes;

/// <summary>The three probes a container can have.</summary>
internal enum ProbeKind
{
    /// <summary>Restarts the container when it fails.</summary>
    Liveness,

    /// <summary>Gates the container's (and pod's) readiness.</summary>
    Readiness,

    /// <summary>Holds the other probes back until the container started; restarts it when it fails.</summary>
    Startup,
}
