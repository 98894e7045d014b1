namespace Gantry.Client;

/// <summary>The patch formats the API server accepts.</summary>
public enum PatchType
{
    /// <summary>RFC 6902 JSON patch (application/json-patch+json): a list of operations.</summary>
    Json,
    /// <summary>RFC 7386 JSON merge patch (application/merge-patch+json).</summary>
    Merge,
    /// <summary>Kubernetes strategic merge patch (application/strategic-merge-patch+json).</summary>
    StrategicMerge,
    /// <summary>Server-side apply (application/apply-patch+yaml); needs a field manager.</summary>
    Apply,
}
