using System.Globalization;
using System.IO.MemoryMappedFiles;
using Gantry.Cli;

namespace Gantry.Simulation.Tests;

/// <summary>The idle server's trim of file mappings: read-only pages go, their content stays readable, private pages stay.</summary>
public sealed class FileMappingsTests : IDisposable
{
    private const int Size = 1 << 20;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"gantry-filemappings-{Guid.NewGuid():N}");

    public FileMappingsTests() => File.WriteAllBytes(_path, [.. Enumerable.Range(0, Size).Select(i => (byte)(i % 251))]);

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void UnmapUntouchedPages_UnmapsAReadOnlyFileMapping_AndItsContentReadsBackTheSame()
    {
        using var file = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        for (var offset = 0; offset < Size; offset += 4096) _ = view.ReadByte(offset);
        var start = Start(view);
        Assert.Equal(Size / 1024, ResidentKilobytes(start));

        FileMappings.UnmapUntouchedPages();

        Assert.Equal(0, ResidentKilobytes(start));
        for (var offset = 0; offset < Size; offset += 4093) Assert.Equal((byte)(offset % 251), view.ReadByte(offset));
    }

    [Fact]
    public void UnmapUntouchedPages_LeavesWritableMappingsAlone()
    {
        using var file = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, null, 0, MemoryMappedFileAccess.CopyOnWrite);
        using var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.CopyOnWrite);
        view.Write(4096, (byte)7);

        FileMappings.UnmapUntouchedPages();

        Assert.Equal(7, view.ReadByte(4096));
        Assert.Equal((byte)(8192 % 251), view.ReadByte(8192));
    }

    // The view maps the file from offset 0, so its handle is the mapping's first address.
    private static long Start(MemoryMappedViewAccessor view) => view.SafeMemoryMappedViewHandle.DangerousGetHandle();

    // The Rss line of the mapping that starts at the given address, in /proc/self/smaps.
    private static int ResidentKilobytes(long start)
    {
        var header = start.ToString("x", CultureInfo.InvariantCulture) + "-";
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.StartsWith(header, StringComparison.Ordinal)) inMapping = true;
            else if (inMapping && line.StartsWith("Rss:", StringComparison.Ordinal))
                return int.Parse(line["Rss:".Length..].Replace("kB", "").Trim(), CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no mapping at {header} in /proc/self/smaps");
    }
}
