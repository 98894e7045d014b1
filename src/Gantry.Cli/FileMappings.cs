using System.Globalization;
using System.Runtime.InteropServices;

namespace Gantry.Cli;

/// <summary>
/// The files the process maps: assemblies (the runtime maps each one whole and reads its metadata at random: type and
/// member lookups, custom attributes) and native libraries. On a page fault in a file mapping Linux maps the 64 KB around
/// the page as well ("fault-around"), so startup work that reads a few bytes here and there leaves most of a big
/// assembly's metadata resident (KubernetesClient.dll: 6 of its 7.5 MB), long after it was last read.
/// </summary>
internal static class FileMappings
{
    private const int DontNeed = 4; // MADV_DONTNEED

    /// <summary>
    /// Unmaps the pages of every read-only file mapping that holds no private (copy-on-write) page, so the process maps
    /// again only what it touches from now on. The pages stay in the page cache, and reading one maps it back from there:
    /// nothing is lost, unlike a writable or copy-on-write mapping, whose private pages these checks leave alone.
    /// </summary>
    public static void UnmapUntouchedPages()
    {
        if (!OperatingSystem.IsLinux()) return;
        (long Start, long End)? candidate = null;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length >= 5 && fields[0].Contains('-') && !fields[0].EndsWith(':'))
            {
                // A mapping's first line: "start-end perms offset dev inode [path]". Real files only (not memfd, not deleted).
                candidate = null;
                var path = fields.Length == 6 ? fields[5] : "";
                if (fields[1].Contains('w') || !path.StartsWith('/') || path.StartsWith("/memfd:", StringComparison.Ordinal)
                    || path.EndsWith("(deleted)", StringComparison.Ordinal)) continue;
                var range = fields[0].Split('-');
                candidate = (long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
            else if (candidate is { } mapping && fields is ["Anonymous:", var kilobytes, ..])
            {
                candidate = null;
                if (kilobytes == "0") _ = Advise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), DontNeed);
            }
        }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Advise(nint address, nuint length, int advice);
}
