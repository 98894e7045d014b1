namespace Gantry.Node.Runtime;

/// <summary>A bind mount of a host path into a container.</summary>
/// <param name="HostPath">The file or directory on the host.</param>
/// <param name="ContainerPath">Where it appears in the container (absolute).</param>
/// <param name="ReadOnly">Mounted read-only.</param>
/// <param name="Propagation">None, HostToContainer (rslave) or Bidirectional (rshared), as mountPropagation.</param>
public sealed record Mount(string HostPath, string ContainerPath, bool ReadOnly = false, string Propagation = "None");
