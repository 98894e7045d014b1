using Gantry.Client;
using Gantry.Node.Volumes;
using k8s.Models;

namespace Gantry.Node.Tests.Volumes;

public sealed class ConfigMapSecretTests : VolumeTestBase
{
    [Fact]
    public async Task ConfigMap_AllKeys_AreFilesBehindTheAtomicWriterLayout()
    {
        await ConfigMapAsync("cfg", new() { ["app.conf"] = "port=80", ["mode"] = "prod" });
        var pod = await PodAsync([new V1Volume { Name = "c", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg" } }]);

        var dir = (await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["c"];

        Assert.Equal(Path.Combine(Paths.PodsDir, pod.Metadata.Uid, "volumes", "kubernetes.io~configmap", "c"), dir);
        Assert.Equal("port=80", Read(dir, "app.conf"));
        Assert.Equal("prod", Read(dir, "mode"));
        Assert.Equal("..data/app.conf", new FileInfo(Path.Combine(dir, "app.conf")).LinkTarget);
        Assert.Matches(@"^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$", new FileInfo(Path.Combine(dir, "..data")).LinkTarget);
        Assert.Equal((UnixFileMode)0x1A4, ModeOf(dir, "mode"));
        Assert.False(IsMounted(dir, "tmpfs"));
    }

    [Fact]
    public async Task ConfigMap_Items_MapKeysToPathsWithTheirModes()
    {
        await ConfigMapAsync("cfg", new() { ["a"] = "1", ["b"] = "2" });
        var pod = await PodAsync([new V1Volume
        {
            Name = "c",
            ConfigMap = new V1ConfigMapVolumeSource
            {
                Name = "cfg", DefaultMode = 0x180,
                Items = [new V1KeyToPath { Key = "a", Path = "sub/first" }, new V1KeyToPath { Key = "b", Path = "second", Mode = 0x124 }],
            },
        }]);

        var dir = (await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["c"];

        Assert.Equal("1", Read(dir, "sub/first"));
        Assert.Equal((UnixFileMode)0x180, ModeOf(dir, "sub/first"));
        Assert.Equal((UnixFileMode)0x124, ModeOf(dir, "second"));
        Assert.False(File.Exists(Path.Combine(dir, "a")));
    }

    [Fact]
    public async Task ConfigMapUpdate_SwapsTheDataAtomically_AndAnUnchangedOneIsNotRewritten()
    {
        var configMap = await ConfigMapAsync("cfg", new() { ["a"] = "1", ["gone"] = "x" });
        var pod = await PodAsync([new V1Volume { Name = "c", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg" } }]);
        var dir = (await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["c"];
        var first = new FileInfo(Path.Combine(dir, "..data")).LinkTarget;

        await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);
        Assert.Equal(first, new FileInfo(Path.Combine(dir, "..data")).LinkTarget);

        configMap.Data = new Dictionary<string, string> { ["a"] = "2", ["new"] = "y" };
        await Server.Client.For<V1ConfigMap>().UpdateAsync(configMap);
        await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);

        var second = new FileInfo(Path.Combine(dir, "..data")).LinkTarget;
        Assert.NotEqual(first, second);
        Assert.Equal("2", Read(dir, "a"));
        Assert.Equal("y", Read(dir, "new"));
        Assert.False(Path.Exists(Path.Combine(dir, "gone")) || new FileInfo(Path.Combine(dir, "gone")).LinkTarget is not null);
        Assert.False(Directory.Exists(Path.Combine(dir, first!)));
        Assert.Equal([second!, "..data", "a", "new"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MissingConfigMap_FailsAsTheKubeletDoes_UnlessOptional()
    {
        var pod = await PodAsync([new V1Volume { Name = "c", ConfigMap = new V1ConfigMapVolumeSource { Name = "absent" } }]);
        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));
        Assert.Equal("MountVolume.SetUp failed for volume \"c\" : configmap \"absent\" not found", failure.Message);

        var optional = await PodAsync([new V1Volume { Name = "c", ConfigMap = new V1ConfigMapVolumeSource { Name = "absent", Optional = true } }]);
        var dir = (await Volumes.SetUpPodVolumesAsync(optional, CancellationToken.None))["c"];
        Assert.Equal(["..data"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Where(n => !n!.StartsWith("..2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MissingKey_FailsAsTheKubeletDoes()
    {
        await ConfigMapAsync("cfg", new() { ["a"] = "1" });
        var pod = await PodAsync([new V1Volume
        {
            Name = "c", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg", Items = [new V1KeyToPath { Key = "y", Path = "y" }] },
        }]);

        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));

        Assert.Equal("MountVolume.SetUp failed for volume \"c\" : configmap references non-existent config key: y", failure.Message);
    }

    [Fact]
    public async Task Secret_IsOnATmpfs_WithDecodedData()
    {
        await Server.Client.For<V1Secret>().CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "creds", NamespaceProperty = Ns },
            Data = new Dictionary<string, byte[]> { ["password"] = "s3cret"u8.ToArray() },
        });
        var pod = await PodAsync([new V1Volume { Name = "s", Secret = new V1SecretVolumeSource { SecretName = "creds", DefaultMode = 0x100 } }]);

        var dir = (await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["s"];

        Assert.Equal(Path.Combine(Paths.PodsDir, pod.Metadata.Uid, "volumes", "kubernetes.io~secret", "s"), dir);
        Assert.True(IsMounted(dir, "tmpfs"));
        Assert.Equal("s3cret", Read(dir, "password"));
        Assert.Equal(UnixFileMode.UserRead, ModeOf(dir, "password"));

        var missingKey = await PodAsync([new V1Volume
        {
            Name = "s", Secret = new V1SecretVolumeSource { SecretName = "creds", Items = [new V1KeyToPath { Key = "user", Path = "user" }] },
        }]);
        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(missingKey, CancellationToken.None));
        Assert.Equal("MountVolume.SetUp failed for volume \"s\" : references non-existent secret key: user", failure.Message);
    }

    [Fact]
    public async Task MissingSecret_FailsWithNotFound()
    {
        var pod = await PodAsync([new V1Volume { Name = "s", Secret = new V1SecretVolumeSource { SecretName = "nope" } }]);

        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));

        Assert.Equal("MountVolume.SetUp failed for volume \"s\" : secret \"nope\" not found", failure.Message);
    }

    [Fact]
    public async Task FsGroup_OwnsTheFilesAndMakesThemGroupReadable()
    {
        await ConfigMapAsync("cfg", new() { ["a"] = "1" });
        var pod = await PodAsync([new V1Volume { Name = "c", ConfigMap = new V1ConfigMapVolumeSource { Name = "cfg", DefaultMode = 0x180 } }], fsGroup: 2000);

        var dir = (await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["c"];

        var file = RealPath(dir, "a");
        var stat = await Gantry.Node.Network.HostCommand.RunCheckedAsync("stat", ["-c", "%g %a", file], null, CancellationToken.None);
        Assert.Equal("2000 640", stat.Trim());
    }
}
