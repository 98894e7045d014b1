namespace Gantry.Node.Network;

/// <summary>A container port published on the host (containers[].ports[].hostPort).</summary>
/// <param name="HostPort">Port on the host.</param>
/// <param name="ContainerPort">Port in the pod.</param>
/// <param name="Protocol">TCP, UDP or SCTP.</param>
/// <param name="HostIp">Host address to bind, empty for all.</param>
public sealed record PortMapping(int HostPort, int ContainerPort, string Protocol = "TCP", string HostIp = "");
