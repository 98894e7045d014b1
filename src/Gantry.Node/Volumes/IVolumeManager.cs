using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>
/// Prepares a pod's volumes on the host (emptyDir, hostPath, configMap, secret, downwardAPI, projected, local persistent
/// volumes) and removes them when the pod is gone.
/// </summary>
public interface IVolumeManager
{
    /// <summary>
    /// Makes every volume of the pod ready, refreshing the content of configMap/secret/downwardAPI/projected volumes
    /// atomically (safe to call on every pod sync); returns volume name -> host path to bind into containers.
    /// Throws <see cref="VolumeException"/> with the event reason (FailedMount) and message the kubelet reports.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> SetUpPodVolumesAsync(V1Pod pod, CancellationToken cancellationToken);

    /// <summary>Unmounts and deletes the pod's volume directories (persistent volume data stays). Idempotent.</summary>
    Task TearDownPodVolumesAsync(string podUid, CancellationToken cancellationToken);

    /// <summary>Uids of the pods that still have volume directories on this node (to clean orphans after a restart).</summary>
    IReadOnlyList<string> PodsWithVolumes();
}
