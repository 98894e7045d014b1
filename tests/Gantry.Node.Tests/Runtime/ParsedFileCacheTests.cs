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
        var path = Write("a", "one");

        Assert.Equal(("one", "one"), (_cache.Get(path, Parse), _cache.Get(path, Parse)));
        Assert.Equal(1, _parses);
    }

    [Fact]
    public void Get_AfterTheFileWasReplacedByARename_ParsesTheNewContent()
    {
        var path = Write("a", "one");
        _cache.Get(path, Parse);
        Thread.Sleep(10);
        File.Move(Write("a.tmp", "two"), path, overwrite: true);

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
        var kept = Write("a", "one");
        var dropped = Write("b", "two");
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

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
