using System.IO.Compression;
using Gantry.Node.Images;
using Gantry.Node.Pods;
using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Pods;

/// <summary>The kubelet's log rotation rules on files, with the fake runtime standing in for conmon's reopen.</summary>
public sealed class ContainerLogManagerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gantry-log-rotation").FullName;
    private readonly ManualTime _time = new();
    private readonly FakeRuntime _runtime = new();
    private readonly ContainerLogManager _manager;

    public ContainerLogManagerTests() => _manager = new ContainerLogManager(_runtime, 100, 5, _time, NullLogger.Instance);

    private string Log => Path.Combine(_dir, "0.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task LogBelowTheMaxSize_IsLeftAlone()
    {
        var id = await RunAsync();
        File.WriteAllText(Log, new string('a', 99));

        await _manager.RotateLogsAsync(default);

        Assert.Equal(["0.log"], Files());
        Assert.Equal(0, _runtime.LogReopens(id));
    }

    [Fact]
    public async Task FullLog_IsRotated_OlderFilesCompressed_LeftoversAndTheOldestDeleted()
    {
        var id = await RunAsync();
        File.WriteAllText(Log, new string('a', 100));
        foreach (var name in (string[])["0.log.20251231-000001.gz", "0.log.20251231-000002.gz", "0.log.20251231-000003.gz", "0.log.20251231-000003"])
        {
            File.WriteAllText(Path.Combine(_dir, name), "old");
        }
        File.WriteAllText(Path.Combine(_dir, "0.log.20251231-000004"), "newest rotated");
        File.WriteAllText(Path.Combine(_dir, "0.log.20251231-000004.tmp"), "interrupted compression");

        await _manager.RotateLogsAsync(default);

        // MaxFiles 5: three compressed, the one just rotated, and the new current file.
        Assert.Equal(["0.log", "0.log.20251231-000002.gz", "0.log.20251231-000003.gz", "0.log.20251231-000004.gz", "0.log.20260101-000000"], Files());
        Assert.Equal(new string('a', 100), File.ReadAllText(Path.Combine(_dir, "0.log.20260101-000000")));
        Assert.Equal(0, new FileInfo(Log).Length);
        Assert.Equal(1, _runtime.LogReopens(id));
        await using var gzip = new GZipStream(File.OpenRead(Path.Combine(_dir, "0.log.20251231-000004.gz")), CompressionMode.Decompress);
        Assert.Equal("newest rotated", await new StreamReader(gzip).ReadToEndAsync());
    }

    [Fact]
    public async Task SecondRotationWithinTheSameSecond_WaitsForTheNextPass()
    {
        await RunAsync();
        File.WriteAllText(Log, new string('a', 100));
        await _manager.RotateLogsAsync(default);
        File.WriteAllText(Log, new string('b', 100));

        await _manager.RotateLogsAsync(default);
        Assert.Equal(["0.log", "0.log.20260101-000000"], Files());

        _time.Advance(TimeSpan.FromSeconds(1));
        await _manager.RotateLogsAsync(default);
        Assert.Equal(["0.log", "0.log.20260101-000000.gz", "0.log.20260101-000001"], Files());
    }

    [Fact]
    public async Task MissingLog_IsRecreated_ByReopeningIt()
    {
        var id = await RunAsync();

        await _manager.RotateLogsAsync(default);

        Assert.Equal(["0.log"], Files());
        Assert.Equal(1, _runtime.LogReopens(id));
    }

    private async Task<string> RunAsync()
    {
        var sandbox = await _runtime.RunPodSandboxAsync(new PodSandboxConfig
        {
            PodUid = "uid-1", PodNamespace = "default", PodName = "web", Hostname = "web", CgroupParent = "/test",
        }, default);
        var image = new ImageInfo { Id = "sha256:busybox", LayerDirs = [] };
        var id = await _runtime.CreateContainerAsync(sandbox.Id, new ContainerConfig { Name = "app", Image = image, Args = ["sleep"], LogPath = Log }, default);
        await _runtime.StartContainerAsync(id, default);
        return id;
    }

    private List<string> Files() => [.. Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];
}
