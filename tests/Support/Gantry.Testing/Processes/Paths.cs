namespace Gantry.Testing.Processes;

/// <summary>Locations of the repository, the shipped gantry program and kubectl.</summary>
public static class Paths
{
    /// <summary>The repository root (the folder holding Gantry.slnx).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The gantry program users run (out/gantry/gantry), brought up to date on first use: see <see cref="GantryBuild"/>.</summary>
    public static string Gantry => GantryBuild.Program;

    /// <summary>kubectl of a given minor version, as installed on these machines.</summary>
    public static string Kubectl(string minor = "32")
    {
        var path = $"/usr/lib/google-cloud-sdk/bin/kubectl.1.{minor}";
        if (!File.Exists(path)) throw new FileNotFoundException($"kubectl 1.{minor} is required at {path}");
        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gantry.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
