using System.Diagnostics;

namespace Gantry.Node.Tests.Images;

/// <summary>Runs the real tools the image tests prove compatibility with; a missing tool fails the test, naming its package.</summary>
internal static class Tool
{
    /// <summary>Runs <paramref name="program"/> and returns its stdout; a non-zero exit fails with its stderr.</summary>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var process = Start(program, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        return await output;
    }

    /// <summary>Starts <paramref name="program"/> with redirected output.</summary>
    public static Process Start(string program, params string[] arguments)
    {
        var path = Require(program);
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return Process.Start(info)!;
    }

    /// <summary>The tool's path; throws naming the Debian package when it is not installed.</summary>
    public static string Require(string program)
    {
        var path = program.StartsWith('/') ? program : $"/usr/bin/{program}";
        if (!File.Exists(path) && File.Exists("/usr/sbin/" + program)) path = "/usr/sbin/" + program;
        if (!File.Exists(path)) throw new InvalidOperationException($"{program} is not installed (scripts/install-packages test installs skopeo, docker-registry, busybox-static)");
        return path;
    }
}
