using System.Diagnostics;
using System.Text;

namespace Gantry.Testing.Processes;

/// <summary>
/// The gantry program users run: the NativeAOT binary out/gantry/gantry. scripts/build-gantry (which ./gantry runs) is
/// the one definition of "up to date": it publishes when the binary is missing or older than the sources and returns at
/// once otherwise. Tests and benchmarks launch this binary, never the JIT build, so they exercise what ships.
/// </summary>
public static class GantryBuild
{
    // Thread-safe and run once per process; a failure is cached, so every later launch fails with the same output.
    private static readonly Lazy<string> Current = new(Publish);

    /// <summary>The binary, brought up to date through scripts/build-gantry on first use (minutes if it must publish).</summary>
    public static string Program => Current.Value;

    /// <summary>Whether the first use of <see cref="Program"/> published the binary rather than finding it up to date.</summary>
    public static bool Published { get; private set; }

    private static string Publish()
    {
        var program = Path.Combine(Paths.RepoRoot, "out", "gantry", "gantry");
        var script = Path.Combine(Paths.RepoRoot, "scripts", "build-gantry");
        var output = new StringBuilder();
        using var build = new Process { StartInfo = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true } };
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
        }
        build.OutputDataReceived += (_, e) => OnLine(e.Data);
        build.ErrorDataReceived += (_, e) => OnLine(e.Data);
        build.Start();
        build.BeginOutputReadLine();
        build.BeginErrorReadLine();
        // Runs once per test process, before the first gantry starts: blocking here keeps Program a plain property.
        build.WaitForExit();
        string text;
        lock (output) text = output.ToString();
        if (build.ExitCode != 0 || !File.Exists(program))
        {
            throw new InvalidOperationException($"scripts/build-gantry failed (exit {build.ExitCode}), so {program} cannot run:\n{text}");
        }
        // The script says "gantry: building..." only when it publishes.
        Published = text.Contains("building", StringComparison.Ordinal);
        return program;
    }
}
