using System.Text;
using Gantry.Node.Streaming.Logs;

namespace Gantry.Node.Tests.Streaming;

public sealed class CriLogReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gantry-logs-").FullName;

    private const string Log =
        "2024-01-02T03:04:05.000000001Z stdout F one\n" +
        "2024-01-02T03:04:06.5Z stderr P tw\n" +
        "2024-01-02T03:04:06.6Z stderr F o\n" +
        "2024-01-02T03:04:07.123456789+00:00 stdout F three\n";

    private async Task<string> ReadAsync(LogOptions options, string content = Log, Func<CancellationToken, Task<bool>>? running = null)
    {
        var path = Path.Combine(_dir, "0.log");
        await File.WriteAllTextAsync(path, content);
        var output = new MemoryStream();
        await new CriLogReader(TimeProvider.System).CopyAsync(path, options, output, running ?? (_ => Task.FromResult(false)), CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task Copy_JoinsPartialLines() =>
        Assert.Equal("one\ntwo\nthree\n", await ReadAsync(new LogOptions()));

    [Fact]
    public async Task Copy_WithTail_SendsTheLastLogicalLines() =>
        Assert.Equal("two\nthree\n", await ReadAsync(new LogOptions { TailLines = 2 }));

    [Fact]
    public async Task Copy_WithTailZero_SendsNothing() =>
        Assert.Equal("", await ReadAsync(new LogOptions { TailLines = 0 }));

    [Fact]
    public async Task Copy_WithTimestamps_PrefixesNanosecondUtcTimes() =>
        Assert.Equal(
            "2024-01-02T03:04:05.000000001Z one\n2024-01-02T03:04:06.500000000Z two\n2024-01-02T03:04:07.123456789Z three\n",
            await ReadAsync(new LogOptions { Timestamps = true }));

    [Fact]
    public async Task Copy_WithSince_SkipsOlderLines() =>
        Assert.Equal("three\n", await ReadAsync(new LogOptions { Since = DateTimeOffset.Parse("2024-01-02T03:04:07Z") }));

    [Fact]
    public async Task Copy_WithLimitBytes_CutsTheOutput() =>
        Assert.Equal("one\ntw", await ReadAsync(new LogOptions { LimitBytes = 6 }));

    [Fact]
    public async Task Copy_EndingInAPartialLine_SendsItsTextWithoutANewline() =>
        Assert.Equal("one\nprompt$ ", await ReadAsync(new LogOptions(), "2024-01-02T03:04:05Z stdout F one\n2024-01-02T03:04:06Z stdout P prompt$ \n"));

    [Fact]
    public async Task Copy_Following_SendsPartialTextAtOnceAndItsRestWithoutATimestamp()
    {
        var path = Path.Combine(_dir, "0.log");
        await File.WriteAllTextAsync(path, "2024-01-02T03:04:05Z stdout P prompt$ \n");
        var output = new MemoryStream();
        var running = true;
        var reader = new CriLogReader(TimeProvider.System) { PollInterval = TimeSpan.FromMilliseconds(20), RunningCheckInterval = TimeSpan.FromMilliseconds(20) };
        var copy = reader.CopyAsync(path, new LogOptions { Follow = true, Timestamps = true }, output, _ => Task.FromResult(Volatile.Read(ref running)), CancellationToken.None);
        string Text() => Encoding.UTF8.GetString(output.ToArray());
        for (var i = 0; i < 100 && Text().Length == 0; i++) await Task.Delay(20);
        Assert.Equal("2024-01-02T03:04:05.000000000Z prompt$ ", Text());
        await File.AppendAllTextAsync(path, "2024-01-02T03:04:09Z stdout F ls\n2024-01-02T03:04:10Z stdout F next\n");
        await Task.Delay(150);
        Volatile.Write(ref running, false);
        await copy.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("2024-01-02T03:04:05.000000000Z prompt$ ls\n2024-01-02T03:04:10.000000000Z next\n", Text());
    }

    [Fact]
    public async Task Copy_Following_SendsAppendedLinesUntilTheContainerStops()
    {
        var path = Path.Combine(_dir, "0.log");
        await File.WriteAllTextAsync(path, "2024-01-02T03:04:05Z stdout F first\n");
        var output = new MemoryStream();
        var running = true;
        var reader = new CriLogReader(TimeProvider.System) { PollInterval = TimeSpan.FromMilliseconds(20), RunningCheckInterval = TimeSpan.FromMilliseconds(20) };
        var copy = reader.CopyAsync(path, new LogOptions { Follow = true }, output, _ => Task.FromResult(Volatile.Read(ref running)), CancellationToken.None);
        await Task.Delay(100);
        await File.AppendAllTextAsync(path, "2024-01-02T03:04:06Z stdout P sec");
        await Task.Delay(50);
        await File.AppendAllTextAsync(path, "ond\n2024-01-02T03:04:06Z stdout F ond\n");
        await Task.Delay(100);
        // Rotation: the file is renamed and a new one starts.
        File.Move(path, path + ".20240102-030407");
        await File.WriteAllTextAsync(path, "2024-01-02T03:04:08Z stdout F third\n");
        await Task.Delay(150);
        Volatile.Write(ref running, false);
        await copy.WaitAsync(TimeSpan.FromSeconds(5));
        // A line written in two pieces is read whole; the P line joins with the F line after it.
        Assert.Equal("first\nsecondond\nthird\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task Copy_Following_NoticesARotationEvenWhenTheNewFileIsAlreadyLonger()
    {
        var path = Path.Combine(_dir, "0.log");
        await File.WriteAllTextAsync(path, "2024-01-02T03:04:05Z stdout F a\n");
        var output = new MemoryStream();
        var running = true;
        var reader = new CriLogReader(TimeProvider.System) { PollInterval = TimeSpan.FromMilliseconds(20), RunningCheckInterval = TimeSpan.FromMilliseconds(20) };
        var copy = reader.CopyAsync(path, new LogOptions { Follow = true }, output, _ => Task.FromResult(Volatile.Read(ref running)), CancellationToken.None);
        await Task.Delay(100);
        File.Move(path, path + ".1");
        await File.WriteAllTextAsync(path, "2024-01-02T03:04:06Z stdout F a much longer line than before\n");
        await Task.Delay(150);
        Volatile.Write(ref running, false);
        await copy.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("a\na much longer line than before\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
