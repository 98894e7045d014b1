using Gantry.Node.Runtime;

namespace Gantry.Node.Tests.Runtime;

public sealed class ParsedFileCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gantry-parsed-cache").FullName;
    private readonly ParsedFileCache<string> _cache = new();
    private int _parses;

    [Fact]
    public void Get_OfAnUnchangedFile_ParsesItOnce()
    {
        var path = Write("a", "one", MinutesAgo(2));

        Assert.Equal(("one", "one"), (_cache.Get(path, Parse), _cache.Get(path, Parse)));
        Assert.Equal(1, _parses);
    }

    [Fact]
    public void Get_AfterTheFileWasReplacedByARename_ParsesTheNewContent()
    {
        var path = Write("a", "one", MinutesAgo(2));
        _cache.Get(path, Parse);
        File.Move(Write("a.tmp", "two", MinutesAgo(1)), path, overwrite: true);

        Assert.Equal("two", _cache.Get(path, Parse));
    }

    [Fact]
    public void Get_OfAFileReplacedWithinOneClockTick_ParsesTheNewContent()
    {
        var path = Write("a", "one");
        _cache.Get(path, Parse);
        var replacement = Write("a.tmp", "two");
        File.SetLastWriteTimeUtc(replacement, File.GetLastWriteTimeUtc(path));
        File.Move(replacement, path, overwrite: true);

        Assert.Equal("two", _cache.Get(path, Parse));
    }

    [Fact]
    public void Get_OfARemovedFile_IsNull_AndARecreatedOneIsParsedAgain()
    {
        var path = Write("a", "one");
        _cache.Get(path, Parse);
        File.Delete(path);
        Assert.Null(_cache.Get(path, Parse));

        Thread.Sleep(10);
        Write("a", "three");
        Assert.Equal("three", _cache.Get(path, Parse));
    }

    [Fact]
    public void Retain_ForgetsFilesNotListed_SoTheyAreParsedAgain()
    {
        var kept = Write("a", "one", MinutesAgo(2));
        var dropped = Write("b", "two", MinutesAgo(2));
        _cache.Get(kept, Parse);
        _cache.Get(dropped, Parse);

        _cache.Retain(new HashSet<string> { kept });
        _cache.Get(kept, Parse);
        _cache.Get(dropped, Parse);

        Assert.Equal(3, _parses);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Parse(string path)
    {
        _parses++;
        return File.ReadAllText(path);
    }

    private static DateTime MinutesAgo(int minutes) => DateTime.UtcNow.AddMinutes(-minutes);

    private string Write(string name, string content, DateTime? writtenAt = null)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        if (writtenAt is { } time) File.SetLastWriteTimeUtc(path, time);
        return path;
    }
}
