using System.Diagnostics;

namespace Gantry.Bench.Server;

/// <summary>Finds the Release build of the gantry CLI, building it first when it is missing.</summary>
internal static class GantryBuild
{
    /// <summary>The repository root: the nearest folder above the working directory or this program holding Gantry.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<string> EnsureBuiltAsync(TextWriter log)
    {
        var dll = Path.Combine(RepositoryRoot, "src", "Gantry.Cli", "bin", "Release", "net10.0", "gantry.dll");
        if (File.Exists(dll) && !SourcesNewerThan(File.GetLastWriteTimeUtc(dll))) return dll;
        log.WriteLine($"# building {Path.GetRelativePath(RepositoryRoot, dll)} (missing or older than src/)...");
        var project = Path.Combine(RepositoryRoot, "src", "Gantry.Cli", "Gantry.Cli.csproj");
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start dotnet build");
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        await build.WaitForExitAsync();
        if (build.ExitCode != 0 || !File.Exists(dll))
        {
            throw new InvalidOperationException($"building gantry failed ({build.ExitCode}): {await output}{await errors}");
        }
        return dll;
    }

    // Like the ./gantry launcher: a build older than any source would measure yesterday's server.
    private static bool SourcesNewerThan(DateTime builtUtc)
    {
        var src = Path.Combine(RepositoryRoot, "src");
        return Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".tsv", StringComparison.Ordinal))
            .Any(f => File.GetLastWriteTimeUtc(f) > builtUtc)
            || new[] { "Directory.Build.props", "Directory.Packages.props" }.Any(f => File.GetLastWriteTimeUtc(Path.Combine(RepositoryRoot, f)) > builtUtc);
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
