using k8s.Models;

namespace Gantry.Controllers.History;

/// <summary>Orders ControllerRevisions by revision number, then creation time, then name (Kubernetes' byRevision).</summary>
internal sealed class RevisionOrder : IComparer<V1ControllerRevision>
{
    /// <summary>The one instance.</summary>
    public static RevisionOrder Instance { get; } = new();

    /// <inheritdoc />
    public int Compare(V1ControllerRevision? x, V1ControllerRevision? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var byNumber = Nullable.Compare(x.Revision, y.Revision);
        if (byNumber != 0) return byNumber;
        var byTime = Nullable.Compare(x.Metadata.CreationTimestamp, y.Metadata.CreationTimestamp);
        return byTime != 0 ? byTime : string.CompareOrdinal(x.Metadata.Name, y.Metadata.Name);
    }
}
