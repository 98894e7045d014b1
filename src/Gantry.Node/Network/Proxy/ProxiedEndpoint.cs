namespace Gantry.Node.Network.Proxy;

/// <summary>One endpoint of a service port, from an EndpointSlice, with the conditions kube-proxy reads.</summary>
internal sealed record ProxiedEndpoint(string IP, int Port, bool Ready, bool Serving, bool Terminating, string? NodeName);
