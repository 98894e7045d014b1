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
        var metadata = KubernetesJsonOptions.TypeInfo(obj.GetType());
        return (T)JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(obj, metadata), metadata)!;
    }
}
