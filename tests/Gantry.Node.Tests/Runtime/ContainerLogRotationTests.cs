using System.IO.Compression;
using System.Text;
using Gantry.Node.Pods;
using Gantry.Node.Runtime;
using Gantry.Node.Streaming.Logs;
using Gantry.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Tests.Runtime;

/// <summary>The kubelet's container log rotation against real runc and conmon (run as root).</summary>
public sealed class ContainerLogRotationTests : RuntimeTestBase
{
    private const int MaxFiles = 5;
    private const int Lines = 12000;

    /// <inheritdoc />
    protected override IContainerRuntime CreateRuntime(NodePaths paths) => new RuncRuntime(paths, NullLogger<RuncRuntime>.Instance);

    [Fact]
    public async Task ReopenContainerLog_MakesConmonStartANewFileAtThePath_LosingNoLine()
    {
        var config = Env.Container("reopen", "sh", "-c", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.05; done");
        var id = await RunAsync(Env.Pod("reopen"), config);
        await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(config.LogPath) && new FileInfo(config.LogPath).Length > 0),
            "the first line", TimeSpan.FromSeconds(10));

        File.Move(config.LogPath, config.LogPath + ".old");
        await Runtime.ReopenContainerLogAsync(id, default);

        Assert.True(File.Exists(config.LogPath));
        await Eventually.HoldsAsync(() => Task.FromResult(ReadCriText(config.LogPath).Length > 0), "a line in the new file", TimeSpan.FromSeconds(10));
        var old = Numbers(ReadCriText(config.LogPath + ".old"));
        var current = Numbers(ReadCriText(config.LogPath));
        Assert.Equal(Enumerable.Range(0, old.Count + current.Count), old.Concat(current));
        await Runtime.StopContainerAsync(id, TimeSpan.Zero, default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.ReopenContainerLogAsync(id, default));
    }

    [Fact]
    public async Task ChattyContainer_IsRotated_KeepingMaxFiles_AndLosingNoLine()
    {
        var pad = new string('x', 60);
        var config = Env.Container("chatty", "sh", "-c",
            $"i=0; while [ $i -lt {Lines} ]; do echo line-$i-{pad}; i=$((i+1)); [ $((i % 400)) -eq 0 ] && sleep 0.05; done; exit 0");
        // Each pass is a new second, so every pass may rotate (timestamps name rotated files to the second).
        var time = new SteppingTime();
        var manager = new ContainerLogManager(Runtime, 64 * 1024, MaxFiles, time, NullLogger.Instance);
        var id = await RunAsync(Env.Pod("chatty"), config);
        var followed = new MemoryStream();
        var follow = new CriLogReader(TimeProvider.System) { PollInterval = TimeSpan.FromMilliseconds(10) }.CopyAsync(
            config.LogPath, new LogOptions { Follow = true }, followed, async token => (await StatusAsync(id)).State == ContainerState.Running, default);

        while ((await StatusAsync(id)).State == ContainerState.Running)
        {
            await manager.RotateLogsAsync(default);
            Assert.InRange(RotatedFiles(config.LogPath).Count + 1, 1, MaxFiles);
            await Task.Delay(30);
        }

        Assert.Equal(0, (await ExitedAsync(id)).ExitCode);
        await follow.WaitAsync(TimeSpan.FromSeconds(10));
        var rotated = RotatedFiles(config.LogPath);
        Assert.True(rotated.Count >= MaxFiles - 1, $"{rotated.Count} rotated files left");
        Assert.InRange(rotated.Count + 1, 1, MaxFiles);
        Assert.All(rotated.SkipLast(1), file => Assert.EndsWith(".gz", file));
        Assert.False(rotated[^1].EndsWith(".gz", StringComparison.Ordinal), "the newest rotated file stays uncompressed");

        // Whatever the oldest kept line is, every later one is there exactly once, up to the last.
        var kept = Numbers(string.Concat(rotated.Append(config.LogPath).Select(ReadCriText)));
        Assert.True(kept[0] > 0, "the oldest files were deleted");
        Assert.Equal(Enumerable.Range(kept[0], Lines - kept[0]), kept);
        // kubectl logs -f read the whole stream across every rotation.
        Assert.Equal(Enumerable.Range(0, Lines), Numbers(Encoding.UTF8.GetString(followed.ToArray())));
    }

    private static List<string> RotatedFiles(string log) =>
        [.. Directory.GetFiles(Path.GetDirectoryName(log)!).Where(f => f.StartsWith(log + ".", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    // The content of CRI lines (partial lines joined), read through gzip for compressed files.
    private static string ReadCriText(string file)
    {
        using var raw = File.OpenRead(file);
        using var stream = file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress) : (Stream)raw;
        using var reader = new StreamReader(stream);
        var text = new StringBuilder();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ', 4);
            text.Append(parts[3]);
            if (parts[2] == "F") text.Append('\n');
        }

        return text.ToString();
    }

    private static List<int> Numbers(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => int.Parse(line.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture))];

    private sealed class SteppingTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now = _now.AddSeconds(1);
    }
}
