namespace Gantry.Node.Runtime;

/// <summary>The life of a container, as CRI's ContainerState.</summary>
public enum ContainerState
{
    /// <summary>Created, not started.</summary>
    Created,

    /// <summary>Its process runs.</summary>
    Running,

    /// <summary>Its process exited (or it could not start).</summary>
    Exited,
}
