using k8s.Models;

namespace Gantry.Controllers.GarbageCollector;

/// <summary>The finalizers through which the API server hands deletion policies to the garbage collector.</summary>
internal static class Finalizers
{
    /// <summary>Orphan: remove this owner's references from its dependents, then let it go.</summary>
    public const string Orphan = "orphan";

    /// <summary>Foreground: delete the dependents first; the owner goes when no blocking dependent remains.</summary>
    public const string ForegroundDeletion = "foregroundDeletion";

    /// <summary>Whether the object carries the finalizer.</summary>
    public static bool Has(V1ObjectMeta meta, string finalizer) => meta.Finalizers?.Contains(finalizer) == true;

    /// <summary>Whether the object is being deleted in the foreground (waits for its dependents).</summary>
    public static bool IsDeletingDependents(V1ObjectMeta meta) => meta.DeletionTimestamp is not null && Has(meta, ForegroundDeletion);
}
