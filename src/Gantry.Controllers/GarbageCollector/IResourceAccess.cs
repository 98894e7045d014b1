using Gantry.Api.Registry;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>
/// Untyped access to one served resource (the metadata of its objects), so the garbage collector and the namespace
/// controller can treat every resource alike while the client stays typed.
/// </summary>
internal interface IResourceAccess
{
    /// <summary>The registry row of the resource.</summary>
    ResourceDefinition Definition { get; }

    /// <summary>Reads one object's metadata from the server; null when it does not exist.</summary>
    Task<V1ObjectMeta?> GetAsync(string? ns, string name, CancellationToken cancellationToken);

    /// <summary>Lists the metadata of the objects of a namespace (all when null), read from the server.</summary>
    Task<IReadOnlyList<V1ObjectMeta>> ListAsync(string? ns, CancellationToken cancellationToken);

    /// <summary>Deletes one object; false when it was already gone.</summary>
    Task<bool> DeleteAsync(string? ns, string name, DeleteOptions options, CancellationToken cancellationToken);

    /// <summary>Deletes every object of a namespace (dependents left to the garbage collector).</summary>
    Task DeleteCollectionAsync(string ns, CancellationToken cancellationToken);

    /// <summary>Applies a JSON merge patch (given as JSON text) to one object.</summary>
    Task PatchAsync(string? ns, string name, string mergePatch, CancellationToken cancellationToken);
}
