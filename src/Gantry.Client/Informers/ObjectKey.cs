using k8s;
using k8s.Models;

namespace Gantry.Client.Informers;

/// <summary>Cache and work-queue keys as Kubernetes writes them: "namespace/name", or "name" for cluster-scoped objects.</summary>
public static class ObjectKey
{
    /// <summary>The key of an object.</summary>
    public static string Of(IMetadata<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj?.Metadata);
        return Of(obj.Metadata.NamespaceProperty, obj.Metadata.Name);
    }

    /// <summary>The key of a namespace and name.</summary>
    public static string Of(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>Splits a key into namespace (null for cluster-scoped) and name.</summary>
    public static (string? Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
