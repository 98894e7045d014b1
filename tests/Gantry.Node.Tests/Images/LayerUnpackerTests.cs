using System.Formats.Tar;
using System.IO.Compression;
using Gantry.Node.Images;

namespace Gantry.Node.Tests.Images;

public sealed class LayerUnpackerTests
{
    private static readonly DateTimeOffset Time = new(2023, 5, 6, 7, 8, 9, TimeSpan.Zero);

    [Fact]
    public async Task Unpack_KeepsModesOwnersTimesLinksDevicesAndXattrs()
    {
        using var dir = new TestDirectory();
        var blob = WriteTar(dir["layer.tar"], gzip: true,
            Dir("usr/"),
            File("usr/tool", "x", (UnixFileMode)0b111_101_101 | UnixFileMode.SetUser, uid: 1000, gid: 1001, xattr: ("user.gantry", "yes")),
            new PaxTarEntry(TarEntryType.SymbolicLink, "usr/link") { LinkName = "/usr/tool", ModificationTime = Time },
            new PaxTarEntry(TarEntryType.HardLink, "usr/hard") { LinkName = "usr/tool" },
            new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0b110_110_110 },
            new PaxTarEntry(TarEntryType.Fifo, "pipe") { Mode = (UnixFileMode)0b110_000_000 });
        var target = dir["root"];

        var result = await LayerUnpacker.UnpackAsync(blob, target, CancellationToken.None);

        Assert.Equal(ImageStore.Digest(Decompressed(blob)), result.DiffId);
        Assert.Equal(1, result.Size);
        Assert.Equal("regular file 4755 1000:1001 " + Time.ToUnixTimeSeconds(), await Stat(target + "/usr/tool", "%F %a %u:%g %Y"));
        Assert.Equal("2", await Stat(target + "/usr/tool", "%h"));
        Assert.Equal("/usr/tool", new FileInfo(target + "/usr/link").LinkTarget);
        Assert.Equal(Time.ToUnixTimeSeconds().ToString(), await Stat(target + "/usr/link", "%Y"));
        Assert.Equal("character special file 1:3 666", await Stat(target + "/null", "%F %t:%T %a"));
        Assert.Equal("fifo 600", await Stat(target + "/pipe", "%F %a"));
        Assert.Equal("yes", Xattr.Get(target + "/usr/tool", "user.gantry"));
        Assert.Equal(Time.ToUnixTimeSeconds().ToString(), await Stat(target + "/usr", "%Y"));
    }

    [Fact]
    public async Task Unpack_TurnsOciWhiteoutsIntoOverlayWhiteouts()
    {
        using var dir = new TestDirectory();
        var blob = WriteTar(dir["layer.tar"], gzip: false,
            Dir("etc/"), File("etc/.wh.motd", ""), Dir("var/"), Dir("var/cache/"), File("var/cache/.wh..wh..opq", ""), File("var/cache/fresh", "f"));
        var target = dir["root"];

        await LayerUnpacker.UnpackAsync(blob, target, CancellationToken.None);

        Assert.Equal("character special file 0:0", await Stat(target + "/etc/motd", "%F %t:%T"));
        Assert.False(System.IO.File.Exists(target + "/etc/.wh.motd"));
        Assert.Equal("y", Xattr.Get(target + "/var/cache", "trusted.overlay.opaque"));
        Assert.Equal(["fresh"], Directory.GetFileSystemEntries(target + "/var/cache").Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    public async Task Unpack_RejectsEntriesOutsideTheLayer(string name)
    {
        using var dir = new TestDirectory();
        var blob = WriteTar(dir["layer.tar"], gzip: false, File(name, "evil"));

        await Assert.ThrowsAsync<InvalidDataException>(() => LayerUnpacker.UnpackAsync(blob, dir["root"], CancellationToken.None));
        Assert.False(System.IO.File.Exists(dir["escape"]));
    }

    [Fact]
    public async Task Unpack_RejectsWritingThroughASymlink()
    {
        using var dir = new TestDirectory();
        Directory.CreateDirectory(dir["outside"]);
        var blob = WriteTar(dir["layer.tar"], gzip: false,
            new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = dir["outside"] }, File("link/planted", "evil"));

        await Assert.ThrowsAsync<InvalidDataException>(() => LayerUnpacker.UnpackAsync(blob, dir["root"], CancellationToken.None));
        Assert.Empty(Directory.GetFileSystemEntries(dir["outside"]));
    }

    [Fact]
    public async Task Unpack_RefusesZstdWithAClearError()
    {
        using var dir = new TestDirectory();
        await System.IO.File.WriteAllBytesAsync(dir["layer.zst"], [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => LayerUnpacker.UnpackAsync(dir["layer.zst"], dir["root"], CancellationToken.None));
        Assert.Contains("zstd", error.Message);
    }

    internal static string WriteTar(string path, bool gzip, params TarEntry[] entries)
    {
        using (var file = System.IO.File.Create(path))
        using (var output = gzip ? (Stream)new GZipStream(file, CompressionLevel.Fastest) : file)
        using (var writer = new TarWriter(output, TarEntryFormat.Pax))
        {
            foreach (var entry in entries) writer.WriteEntry(entry);
        }
        return path;
    }

    internal static TarEntry Dir(string name) => new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101, ModificationTime = Time };

    internal static TarEntry File(string name, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100, int uid = 0, int gid = 0, (string, string)? xattr = null)
    {
        var attributes = xattr is { } x ? new Dictionary<string, string> { ["SCHILY.xattr." + x.Item1] = x.Item2 } : [];
        return new PaxTarEntry(TarEntryType.RegularFile, name, attributes)
        {
            Mode = mode, Uid = uid, Gid = gid, ModificationTime = Time, DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        };
    }

    private static byte[] Decompressed(string gzipFile)
    {
        using var input = new GZipStream(System.IO.File.OpenRead(gzipFile), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static async Task<string> Stat(string path, string format) => (await Tool.RunAsync("/usr/bin/stat", "-c", format, path)).Trim();
}
