using System.Text.Json.Serialization.Metadata;
using k8s.Models;

namespace Gantry.Client.Transport;

/// <summary>
/// The shape of any list response (PodList, DeploymentList, ...): list metadata and items. Read by
/// <see cref="ListBodyConverter{T}"/>, so an empty list never builds the serializer metadata of its item type.
/// </summary>
internal sealed class ListBody<T>
{
    /// <summary>The serializer metadata of the list: the hand-written converter under the Kubernetes options.</summary>
    public static JsonTypeInfo<ListBody<T>> Metadata { get; } =
        JsonMetadataServices.CreateValueInfo<ListBody<T>>(KubernetesJsonOptions.Options, new ListBodyConverter<T>());

    public V1ListMeta? ListMeta { get; set; }

    public List<T>? Items { get; set; }
}
