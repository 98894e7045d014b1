namespace Gantry.Node.Images;

/// <summary>Credentials for one registry, from an imagePullSecret (.dockerconfigjson) or the node's config.</summary>
/// <param name="Registry">The registry host (and port) they apply to, e.g. 127.0.0.1:5000 or docker.io.</param>
/// <param name="Username">User name for basic auth or the token exchange.</param>
/// <param name="Password">Password.</param>
public sealed record RegistryCredential(string Registry, string Username, string Password);
