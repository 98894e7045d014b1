using Gantry.Node.Volumes;
using Gantry.Testing;
using k8s.Models;

namespace Gantry.Node.Tests.Volumes;

/// <summary>A real API server and a volume manager on a temporary node directory; every pod's volumes are torn down after the test.</summary>
public abstract class VolumeTestBase : IAsyncLifetime
{
    protected const string Ns = "default";
    private readonly List<string> _podUids = [];

    protected InProcessApiServer Server { get; private set; } = null!;

    protected NodePaths Paths { get; } = new(Directory.CreateTempSubdirectory("gantry-vol-").FullName, "vol-node");

    protected VolumeManager Volumes { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(Environment.UserName == "root", "volume tests need root (tmpfs mounts, ownership)");
        Server = await InProcessApiServer.StartAsync("gantry-vol-api-");
        Volumes = new VolumeManager(Paths, Server.Client);
    }

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var uid in _podUids) await Volumes.TearDownPodVolumesAsync(uid, CancellationToken.None);
        }
        finally
        {
            await Server.DisposeAsync();
            Directory.Delete(Paths.DataDir, recursive: true);
        }
    }

    /// <summary>A pod (created in the API when <paramref name="create"/>) with the given volumes, torn down after the test.</summary>
    protected async Task<V1Pod> PodAsync(IList<V1Volume> volumes, bool create = false, long? fsGroup = null)
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1", Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = "p-" + Guid.NewGuid().ToString("N")[..8], NamespaceProperty = Ns, Uid = Guid.NewGuid().ToString(),
                Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" },
                Annotations = new Dictionary<string, string> { ["note"] = "hello", ["quote"] = "say \"hi\"" },
            },
            Spec = new V1PodSpec
            {
                NodeName = Paths.NodeName,
                Containers =
                [
                    new V1Container
                    {
                        Name = "main", Image = "busybox",
                        Resources = new V1ResourceRequirements
                        {
                            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi"), ["cpu"] = new("500m") },
                            Requests = new Dictionary<string, ResourceQuantity> { ["memory"] = new("32Mi"), ["cpu"] = new("250m") },
                        },
                    },
                ],
                Volumes = volumes,
                SecurityContext = fsGroup is null ? null : new V1PodSecurityContext { FsGroup = fsGroup },
            },
        };
        if (create) pod = await Server.Client.For<V1Pod>().CreateAsync(pod);
        _podUids.Add(pod.Metadata.Uid);
        return pod;
    }

    protected Task<V1ConfigMap> ConfigMapAsync(string name, Dictionary<string, string> data) =>
        Server.Client.For<V1ConfigMap>().CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns }, Data = data });

    protected static bool IsMounted(string path, string type) =>
        File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).Any(f => f[1] == path && f[2] == type);

    protected static string MountOptions(string path) =>
        File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).Single(f => f[1] == path)[3];

    protected static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file));

    protected static UnixFileMode ModeOf(string dir, string file) => File.GetUnixFileMode(RealPath(dir, file));

    /// <summary>The file behind the user-visible symlink (or inside a symlinked directory).</summary>
    protected static string RealPath(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
    }
}
