using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class StorageAndRbacPrinterTests
{
    [Fact]
    public void PersistentVolume_PrintsCapacityModesClaimAndClass()
    {
        var printer = Printer("", "PersistentVolume");
        Assert.Equal(["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode"],
            printer.Columns.Select(c => c.Name));
        var row = Row("", "PersistentVolume", """
            {"metadata":{"name":"pv1","creationTimestamp":"2026-01-10T11:00:00Z"},
             "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy":"Retain","claimRef":{"namespace":"default","name":"data"},
                     "storageClassName":"local","volumeMode":"Filesystem"},
             "status":{"phase":"Bound"}}
            """);
        Assert.Equal(["pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "local", "<unset>", "", "60m", "Filesystem"], row);
    }

    [Fact]
    public void DeletedVolume_ShowsTerminatingAndBetaClassAnnotationWins()
    {
        var row = Row("", "PersistentVolume", """
            {"metadata":{"name":"pv1","deletionTimestamp":"2026-01-10T11:00:00Z","annotations":{"volume.beta.kubernetes.io/storage-class":"old"}},
             "spec":{"storageClassName":"new"},"status":{"phase":"Released"}}
            """);
        Assert.Equal(["0", "", "", "Terminating", "", "old"], row[1..7]);
    }

    [Fact]
    public void PersistentVolumeClaim_ShowsCapacityOnlyWhenBound()
    {
        Assert.Equal(["data", "Bound", "pv1", "5Gi", "RWO", "local", "<unset>", "60m", "<unset>"], Row("", "PersistentVolumeClaim", """
            {"metadata":{"name":"data","creationTimestamp":"2026-01-10T11:00:00Z"},
             "spec":{"volumeName":"pv1","storageClassName":"local","resources":{"requests":{"storage":"1Gi"}}},
             "status":{"phase":"Bound","capacity":{"storage":"5Gi"},"accessModes":["ReadWriteOnce"]}}
            """));
        Assert.Equal(["Pending", "", "", ""], Row("", "PersistentVolumeClaim",
            """{"metadata":{"name":"data"},"spec":{"resources":{"requests":{"storage":"1Gi"}}},"status":{"phase":"Pending"}}""")[1..5]);
    }

    [Fact]
    public void StorageClass_MarksDefaultAndFillsDefaults()
    {
        var row = Row("storage.k8s.io", "StorageClass", """
            {"metadata":{"name":"local","creationTimestamp":"2026-01-10T11:00:00Z","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
             "provisioner":"gantry.io/local"}
            """);
        Assert.Equal(["local (default)", "gantry.io/local", "Delete", "Immediate", false, "60m"], row);
    }

    [Fact]
    public void RoleBinding_PrintsRoleAndSubjectsByKind()
    {
        var printer = Printer("rbac.authorization.k8s.io", "RoleBinding");
        Assert.Equal([0, 0, 0, 1, 1, 1], printer.Columns.Select(c => c.Priority));
        var row = Row("rbac.authorization.k8s.io", "RoleBinding", """
            {"metadata":{"name":"rb","creationTimestamp":"2026-01-10T11:00:00Z"},"roleRef":{"kind":"ClusterRole","name":"view","apiGroup":"rbac.authorization.k8s.io"},
             "subjects":[{"kind":"User","name":"alice"},{"kind":"User","name":"bob"},{"kind":"Group","name":"devs"},
                         {"kind":"ServiceAccount","name":"default","namespace":"kube-system"}]}
            """);
        Assert.Equal(["rb", "ClusterRole/view", "60m", "alice, bob", "devs", "kube-system/default"], row);
    }

    [Fact]
    public void ClusterRoleBinding_WithoutSubjects_PrintsEmptyCells() =>
        Assert.Equal(["crb", "ClusterRole/admin", "<unknown>", "", "", ""], Row("rbac.authorization.k8s.io", "ClusterRoleBinding",
            """{"metadata":{"name":"crb"},"roleRef":{"kind":"ClusterRole","name":"admin"}}"""));
}
