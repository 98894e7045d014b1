using k8s.Models;

namespace Gantry.Client.Transport;

/// <summary>The shape of any list response (PodList, DeploymentList, ...): list metadata and items.</summary>
internal sealed class ListBody<T>
{
    public V1ListMeta? Metadata { get; set; }

    public List<T>? Items { get; set; }
}
