using System.Text.Json.Serialization;
using k8s.Models;

namespace Gantry.Client.Transport;

/// <summary>
/// The shape of any list response (PodList, DeploymentList, ...): list metadata and items. Read by
/// <see cref="ListBodyConverterFactory"/>, so an empty list never builds the serializer metadata of its item type.
/// </summary>
[JsonConverter(typeof(ListBodyConverterFactory))]
internal sealed class ListBody<T>
{
    public V1ListMeta? Metadata { get; set; }

    public List<T>? Items { get; set; }
}
