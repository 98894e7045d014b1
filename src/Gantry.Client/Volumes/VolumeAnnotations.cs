namespace Gantry.Client.Volumes;

/// <summary>
/// The annotations through which the persistent volume controller, the scheduler and provisioners coordinate binding
/// and provisioning, spelled as Kubernetes spells them.
/// </summary>
public static class VolumeAnnotations
{
    /// <summary>On a claim: the controller finished binding it at least once ("yes").</summary>
    public const string BindCompleted = "pv.kubernetes.io/bind-completed";

    /// <summary>On a volume or claim: the binding was made by the controller (or scheduler), not pre-bound by a user ("yes").</summary>
    public const string BoundByController = "pv.kubernetes.io/bound-by-controller";

    /// <summary>On a volume: the name of the provisioner that created it (and must delete its data).</summary>
    public const string ProvisionedBy = "pv.kubernetes.io/provisioned-by";

    /// <summary>On a claim: the provisioner asked to create a volume for it.</summary>
    public const string StorageProvisioner = "volume.kubernetes.io/storage-provisioner";

    /// <summary>On a claim: the deprecated spelling of <see cref="StorageProvisioner"/>, still set for older provisioners.</summary>
    public const string BetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";

    /// <summary>On a claim of a WaitForFirstConsumer class: the node the scheduler chose for the first pod using it.</summary>
    public const string SelectedNode = "volume.kubernetes.io/selected-node";

    /// <summary>On a claim or volume: the deprecated way of naming the storage class, which wins over spec.storageClassName.</summary>
    public const string BetaStorageClass = "volume.beta.kubernetes.io/storage-class";

    /// <summary>On a storage class: "true" makes it the default class of claims that name none.</summary>
    public const string IsDefaultClass = "storageclass.kubernetes.io/is-default-class";

    /// <summary>On a storage class: the deprecated spelling of <see cref="IsDefaultClass"/>.</summary>
    public const string BetaIsDefaultClass = "storageclass.beta.kubernetes.io/is-default-class";

    /// <summary>The provisioner of classes that never provision (local volumes created by an administrator).</summary>
    public const string NoProvisioner = "kubernetes.io/no-provisioner";
}
