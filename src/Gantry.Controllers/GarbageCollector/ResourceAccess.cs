using System.Reflection;
using Gantry.Api.Registry;
using Gantry.Client;
using k8s;
using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>Finds the KubernetesClient model type of a served resource and builds its <see cref="IResourceAccess"/>.</summary>
internal static class ResourceAccess
{
    private static readonly Dictionary<(string Group, string Version, string Kind), Type> ModelTypes = ScanModelTypes();

    /// <summary>The model type of a resource, or null when KubernetesClient has none.</summary>
    public static Type? ModelType(ResourceDefinition definition) =>
        ModelTypes.GetValueOrDefault((definition.Group, definition.Version, definition.Kind));

    /// <summary>Access to a resource through the typed client, or null when it has no model type.</summary>
    public static IResourceAccess? Create(IApiClient client, ResourceDefinition definition) =>
        ModelType(definition) is { } type
            ? (IResourceAccess)Activator.CreateInstance(typeof(ResourceAccess<>).MakeGenericType(type), client, definition)!
            : null;

    private static Dictionary<(string, string, string), Type> ScanModelTypes()
    {
        var types = new Dictionary<(string, string, string), Type>();
        foreach (var type in typeof(V1Pod).Assembly.GetExportedTypes())
        {
            if (!type.IsClass || type.IsAbstract || !typeof(IKubernetesObject<V1ObjectMeta>).IsAssignableFrom(type)) continue;
            if (Constant(type, "KubeGroup") is { } group && Constant(type, "KubeApiVersion") is { } version && Constant(type, "KubeKind") is { } kind)
                types.TryAdd((group, version, kind), type);
        }
        return types;
    }

    private static string? Constant(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
}
