namespace Gantry.Controllers.Namespace;

/// <summary>What one pass of deleting a namespace's content left behind.</summary>
internal sealed class ContentDeletion
{
    /// <summary>Seconds until the remaining content should be gone (graceful pods, finalizers); 0 when nothing waits.</summary>
    public long EstimateSeconds { get; set; }

    /// <summary>Objects left per resource ("pods", "deployments.apps").</summary>
    public SortedDictionary<string, int> Remaining { get; } = new(StringComparer.Ordinal);

    /// <summary>Objects left per finalizer.</summary>
    public SortedDictionary<string, int> FinalizersRemaining { get; } = new(StringComparer.Ordinal);

    /// <summary>Failures, one line each.</summary>
    public List<string> Errors { get; } = [];
}
