using System.Diagnostics;

namespace Gantry.Bench.Server;

/// <summary>
/// The gantry CLI users run: scripts/build-gantry (which ./gantry runs) publishes it into out/gantry when it is missing
/// or older than the sources, so the benchmarks measure the shipped program (the NativeAOT binary).
/// </summary>
internal static class GantryBuild
{
    /// <summary>The repository root: the nearest folder above the working directory or this program holding Gantry.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<string> EnsureBuiltAsync(TextWriter log)
    {
        var program = Path.Combine(RepositoryRoot, "out", "gantry", "gantry");
        var script = Path.Combine(RepositoryRoot, "scripts", "build-gantry");
        using var build = Process.Start(new ProcessStartInfo(script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {script}");
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        await build.WaitForExitAsync();
        if (build.ExitCode != 0 || !File.Exists(program))
        {
            throw new InvalidOperationException($"building gantry failed ({build.ExitCode}): {await output}{await errors}");
        }
        // The script says "gantry: building..." only when it published: worth a line in the report.
        if ((await errors).Contains("building", StringComparison.Ordinal)) log.WriteLine($"# published {Path.GetRelativePath(RepositoryRoot, program)} (scripts/build-gantry)");
        return program;
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Gantry.slnx"))) return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root (Gantry.slnx) above the working directory");
    }
}
