using k8s.Models;

namespace Gantry.Controllers.EndpointSlice;

/// <summary>The writes one sync of a service needs: slices to create, to update and to delete.</summary>
internal sealed record SlicePlan(List<V1EndpointSlice> Create, List<V1EndpointSlice> Update, List<V1EndpointSlice> Delete)
{
    /// <summary>Whether nothing is to be written.</summary>
    public bool IsEmpty => Create.Count == 0 && Update.Count == 0 && Delete.Count == 0;
}
