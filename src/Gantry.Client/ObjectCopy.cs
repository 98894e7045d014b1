using System.Text.Json;
using Gantry.Client.Transport;

namespace Gantry.Client;

/// <summary>Deep copies of model objects: informer caches share their objects, so clone one before changing it.</summary>
public static class ObjectCopy
{
    /// <summary>A deep copy made by a JSON round trip with the Kubernetes serializer settings.</summary>
    public static T DeepCopy<T>(T obj) where T : class
    {
        ArgumentNullException.ThrowIfNull(obj);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), KubernetesJsonOptions.Options);
        return (T)JsonSerializer.Deserialize(bytes, obj.GetType(), KubernetesJsonOptions.Options)!;
    }
}
