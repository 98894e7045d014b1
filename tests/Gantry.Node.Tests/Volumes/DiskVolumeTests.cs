using System.Net.Sockets;
using Gantry.Node.Volumes;
using k8s.Models;

namespace Gantry.Node.Tests.Volumes;

public sealed class DiskVolumeTests : VolumeTestBase
{
    [Fact]
    public async Task EmptyDir_IsAWorldWritableDirectoryInTheKubeletLayout()
    {
        var pod = await PodAsync([new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() }]);

        var paths = await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);

        var dir = paths["scratch"];
        Assert.Equal(Path.Combine(Paths.PodsDir, pod.Metadata.Uid, "volumes", "kubernetes.io~empty-dir", "scratch"), dir);
        Assert.Equal((UnixFileMode)0x1FF, File.GetUnixFileMode(dir));
        Assert.False(IsMounted(dir, "tmpfs"));
    }

    [Fact]
    public async Task EmptyDirInMemory_IsATmpfsCappedAtTheSizeLimit_AndTearDownUnmountsIt()
    {
        var pod = await PodAsync([new V1Volume { Name = "ram", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("8Mi") } }]);

        var dir = (await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["ram"];
        await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);

        Assert.True(IsMounted(dir, "tmpfs"));
        Assert.Single(File.ReadLines("/proc/mounts"), l => l.Split(' ')[1] == dir);
        Assert.Contains("size=8192k", MountOptions(dir), StringComparison.Ordinal);
        Assert.Contains(pod.Metadata.Uid, Volumes.PodsWithVolumes());

        await Volumes.TearDownPodVolumesAsync(pod.Metadata.Uid, CancellationToken.None);
        await Volumes.TearDownPodVolumesAsync(pod.Metadata.Uid, CancellationToken.None);

        Assert.False(IsMounted(dir, "tmpfs"));
        Assert.False(Directory.Exists(Path.Combine(Paths.PodsDir, pod.Metadata.Uid)));
        Assert.DoesNotContain(pod.Metadata.Uid, Volumes.PodsWithVolumes());
    }

    [Fact]
    public async Task HostPath_OrCreateTypes_CreateTheDirectoryOrFile()
    {
        var root = Path.Combine(Paths.DataDir, "host");
        Directory.CreateDirectory(root);
        var pod = await PodAsync(
        [
            new V1Volume { Name = "d", HostPath = new V1HostPathVolumeSource { Path = root + "/new-dir/sub", Type = "DirectoryOrCreate" } },
            new V1Volume { Name = "f", HostPath = new V1HostPathVolumeSource { Path = root + "/new-file", Type = "FileOrCreate" } },
        ]);

        var paths = await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);

        Assert.True(Directory.Exists(paths["d"]));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(paths["d"]));
        Assert.True(File.Exists(paths["f"]));
        Assert.Equal(root + "/new-file", paths["f"]);
    }

    [Theory]
    [InlineData("Directory", "file", "is not a directory")]
    [InlineData("DirectoryOrCreate", "file", "is not a directory")]
    [InlineData("File", "dir", "is not a file")]
    [InlineData("File", "missing", "is not a file")]
    [InlineData("Socket", "file", "is not a socket file")]
    [InlineData("CharDevice", "file", "is not a character device")]
    [InlineData("BlockDevice", "file", "is not a block device")]
    public async Task HostPath_WithTheWrongType_FailsWithTheKubeletMessage(string type, string what, string error)
    {
        var root = Path.Combine(Paths.DataDir, "host");
        Directory.CreateDirectory(root + "/dir");
        File.WriteAllText(root + "/file", "x");
        var path = $"{root}/{what}";
        var pod = await PodAsync([new V1Volume { Name = "h", HostPath = new V1HostPathVolumeSource { Path = path, Type = type } }]);

        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));

        Assert.Equal($"MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: {path} {error}", failure.Message);
    }

    [Fact]
    public async Task HostPath_OfTheRightSpecialType_Passes()
    {
        var socketPath = Path.Combine(Paths.DataDir, "s.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var pod = await PodAsync(
        [
            new V1Volume { Name = "sock", HostPath = new V1HostPathVolumeSource { Path = socketPath, Type = "Socket" } },
            new V1Volume { Name = "null", HostPath = new V1HostPathVolumeSource { Path = "/dev/null", Type = "CharDevice" } },
        ]);

        var paths = await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);

        Assert.Equal("/dev/null", paths["null"]);
    }

    [Fact]
    public async Task PersistentVolumeClaim_BoundToALocalVolume_IsItsPath_AndSurvivesTearDown()
    {
        var dataPath = Path.Combine(Paths.DataDir, "pv-data");
        Directory.CreateDirectory(dataPath);
        await Server.Client.For<V1PersistentVolume>().CreateAsync(new V1PersistentVolume
        {
            Metadata = new V1ObjectMeta { Name = "pv-1" },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") }, AccessModes = ["ReadWriteOnce"],
                Local = new V1LocalVolumeSource { Path = dataPath },
                NodeAffinity = new V1VolumeNodeAffinity
                {
                    Required = new V1NodeSelector
                    {
                        NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = [Paths.NodeName] }] }],
                    },
                },
            },
        });
        var claim = await Server.Client.For<V1PersistentVolumeClaim>().CreateAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data", NamespaceProperty = Ns },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"], VolumeName = "pv-1",
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        });
        var pod = await PodAsync([new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data" } }]);

        var pending = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));
        Assert.Contains("has non-bound phase", pending.Message, StringComparison.Ordinal);

        claim.Status = new V1PersistentVolumeClaimStatus { Phase = "Bound" };
        await Server.Client.For<V1PersistentVolumeClaim>().UpdateStatusAsync(claim);
        var paths = await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);
        Assert.Equal(dataPath, paths["data"]);
        File.WriteAllText(Path.Combine(dataPath, "keep"), "me");

        await Volumes.TearDownPodVolumesAsync(pod.Metadata.Uid, CancellationToken.None);

        Assert.Equal("me", File.ReadAllText(Path.Combine(dataPath, "keep")));
    }

    [Fact]
    public async Task MissingClaim_FailsWithNotFound()
    {
        var pod = await PodAsync([new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "nope" } }]);

        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));

        Assert.Equal("MountVolume.SetUp failed for volume \"data\" : persistentvolumeclaim \"nope\" not found", failure.Message);
    }

    [Fact]
    public async Task EphemeralVolume_UsesOnlyTheClaimItsPodOwns()
    {
        var pod = await PodAsync([new V1Volume { Name = "scratch", Ephemeral = new V1EphemeralVolumeSource() }]);
        await Server.Client.For<V1PersistentVolumeClaim>().CreateAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = $"{pod.Metadata.Name}-scratch", NamespaceProperty = Ns },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        });

        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));

        Assert.Equal($"MountVolume.SetUp failed for volume \"scratch\" : PVC {Ns}/{pod.Metadata.Name}-scratch was not created for pod {Ns}/{pod.Metadata.Name} (pod is not owner)",
            failure.Message);
    }
}
