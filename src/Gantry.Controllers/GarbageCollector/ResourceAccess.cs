using Gantry.Api.Registry;
using Gantry.Client;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>Finds the KubernetesClient model type of a served resource and builds its <see cref="IResourceAccess"/>.</summary>
internal static class ResourceAccess
{
    /// <summary>The model type of a resource, or null when KubernetesClient has none.</summary>
    public static Type? ModelType(ResourceDefinition definition) =>
        ModelTypes.Of(definition.Group, definition.Version, definition.Kind) is { } type && typeof(IKubernetesObject<V1ObjectMeta>).IsAssignableFrom(type)
            ? type
            : null;

    /// <summary>Access to a resource through the typed client, or null when it has no model type.</summary>
    public static IResourceAccess? Create(IApiClient client, ResourceDefinition definition) =>
        ModelType(definition) is { } type
            ? (IResourceAccess)Activator.CreateInstance(typeof(ResourceAccess<>).MakeGenericType(type), client, definition)!
            : null;
}
