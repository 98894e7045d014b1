using Gantry.Client.Events;
using Gantry.Node.Images;
using Gantry.Node.Pods;
using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Pods;

/// <summary>The kubelet's image GC on a simulated image file system, with the fake runtime.</summary>
public sealed class ImageGcManagerTests
{
    private const string ImageFs = "/simulated/image-store";
    private readonly ManualTime _time = new();
    private readonly FakeRuntime _runtime = new();
    private readonly CollectingImages _images = new();
    private readonly SimulatedDisks _disks = new();
    private readonly List<(string Type, string Reason, string Message)> _events = [];
    private readonly ImageGcManager _manager;

    public ImageGcManagerTests()
    {
        var options = new NodeAgentOptions { NodeName = "node-1" };
        _manager = new ImageGcManager(_images, _runtime, _disks, ImageFs, options, (t, r, m) => _events.Add((t, r, m)), _time, NullLogger.Instance);
    }

    [Fact]
    public async Task UsageBelowTheHighThreshold_RemovesNothing()
    {
        _images.Add("sha256:old", 300);
        _disks.Set(ImageFs, capacity: 1000, available: 160); // 84% used (integer percent, as the kubelet computes it)

        await _manager.GarbageCollectAsync(default);

        Assert.Null(_images.LastRequest);
    }

    [Fact]
    public async Task UsageOverTheHighThreshold_FreesDownToTheLowOne_SparingImagesInUseAndYoungImages()
    {
        _images.Add("sha256:used", 300);
        _images.Add("sha256:old", 300);
        _manager.DetectImages();
        _time.Advance(TimeSpan.FromMinutes(10));
        _images.Add("sha256:young", 300);
        await RunContainerAsync("sha256:used");
        _disks.Set(ImageFs, capacity: 1000, available: 100);

        await _manager.GarbageCollectAsync(default);

        // 90% used: free capacity * (100 - 80)% - available = 100 bytes, never touching the protected images.
        Assert.Equal(100, _images.LastRequest?.Bytes);
        Assert.Equal(["sha256:used", "sha256:young"], _images.LastRequest?.Protected.Order(StringComparer.Ordinal));
        Assert.Equal(["sha256:used", "sha256:young"], _images.List().Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Empty(_events);
    }

    [Fact]
    public async Task YoungImage_BecomesCollectable_AfterTheMinimumAge()
    {
        _manager.DetectImages();
        _images.Add("sha256:new", 300);
        _disks.Set(ImageFs, capacity: 1000, available: 100);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _manager.GarbageCollectAsync(default));
        Assert.Single(_images.List());

        _time.Advance(TimeSpan.FromMinutes(2));
        await _manager.GarbageCollectAsync(default);

        Assert.Empty(_images.List());
    }

    [Fact]
    public async Task NotEnoughEligible_RecordsFreeDiskSpaceFailed_AndImageGcFailedWhenItFailsAgain()
    {
        _images.Add("sha256:small", 40);
        _manager.DetectImages();
        _disks.Set(ImageFs, capacity: 1000, available: 100);

        await _manager.RunPassAsync(default);
        const string message = "Failed to garbage collect required amount of images. Attempted to free 100 bytes, but only found 40 bytes eligible to free.";
        Assert.Equal([(EventTypes.Warning, "FreeDiskSpaceFailed", message)], _events);

        await _manager.RunPassAsync(default);
        const string again = "Failed to garbage collect required amount of images. Attempted to free 100 bytes, but only found 0 bytes eligible to free.";
        Assert.Equal([(EventTypes.Warning, "FreeDiskSpaceFailed", message), (EventTypes.Warning, "FreeDiskSpaceFailed", again),
            (EventTypes.Warning, "ImageGCFailed", again)], _events);
    }

    [Fact]
    public async Task ZeroCapacity_RecordsInvalidDiskCapacity()
    {
        _disks.Set(ImageFs, capacity: 0, available: 0);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _manager.GarbageCollectAsync(default));

        Assert.Equal([(EventTypes.Warning, "InvalidDiskCapacity", "invalid capacity 0 on image filesystem")], _events);
    }

    [Fact]
    public async Task Agent_CollectsImagesPeriodically_AndReportsFailuresAsNodeEvents()
    {
        var disks = new SimulatedDisks();
        await using var harness = await AgentHarness.StartAsync(o => o with { FileSystemStats = disks, ImageGcPeriod = TimeSpan.FromMilliseconds(100) });
        disks.Set(harness.Paths.ImageStoreDir, capacity: 1000, available: 100);

        await Testing.Eventually.HoldsAsync(async () => (await harness.Client.For<k8s.Models.Corev1Event>().ListAsync("default")).Items.Any(e =>
                e.Reason == "FreeDiskSpaceFailed" && e.Type == EventTypes.Warning && e.InvolvedObject.Kind == "Node" && e.InvolvedObject.Name == AgentHarness.NodeName
                && e.Message == "Failed to garbage collect required amount of images. Attempted to free 100 bytes, but only found 0 bytes eligible to free."),
            "a FreeDiskSpaceFailed event on the node");
    }

    private async Task RunContainerAsync(string imageId)
    {
        var sandbox = await _runtime.RunPodSandboxAsync(new PodSandboxConfig
        {
            PodUid = "uid-1", PodNamespace = "default", PodName = "web", Hostname = "web", CgroupParent = "/test",
        }, default);
        var image = _images.Find(imageId)!;
        var id = await _runtime.CreateContainerAsync(sandbox.Id, new ContainerConfig { Name = "app", Image = image, Args = ["sleep"], LogPath = "" }, default);
        await _runtime.StartContainerAsync(id, default);
    }

    /// <summary>A store whose collection removes unprotected images in insertion order and reports their sizes.</summary>
    private sealed class CollectingImages : IImageService
    {
        private readonly List<ImageInfo> _stored = [];

        public (long Bytes, IReadOnlySet<string> Protected)? LastRequest { get; private set; }

        public void Add(string id, long size) => _stored.Add(new ImageInfo { Id = id, LayerDirs = [], Size = size, RepoTags = [id] });

        public ImageInfo? Find(string reference) => _stored.FirstOrDefault(i => i.Id == reference);

        public IReadOnlyList<ImageInfo> List() => [.. _stored];

        public Task<long> GarbageCollectAsync(long bytesToFree, IReadOnlySet<string> imageIdsInUse, CancellationToken cancellationToken)
        {
            LastRequest = (bytesToFree, imageIdsInUse);
            long freed = 0;
            foreach (var image in _stored.Where(i => !imageIdsInUse.Contains(i.Id)).ToList())
            {
                if (freed >= bytesToFree) break;
                _stored.Remove(image);
                freed += image.Size;
            }
            return Task.FromResult(freed);
        }

        public Task<ImageInfo> EnsureImageAsync(string reference, string pullPolicy, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<ImageInfo>> ImportAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RemoveAsync(string reference, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
