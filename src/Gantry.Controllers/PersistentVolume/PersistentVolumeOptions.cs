namespace Gantry.Controllers.PersistentVolume;

/// <summary>Settings of the persistent volume binder, with kube-controller-manager's values.</summary>
public sealed record PersistentVolumeOptions
{
    /// <summary>How often every claim and volume is synced again without a change (--pvclaimbinder-sync-period: 15 s).</summary>
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether the controller creates the <c>local-path</c> default StorageClass at start when it is missing (as k3s ships one).</summary>
    public bool CreateDefaultStorageClass { get; init; } = true;
}
