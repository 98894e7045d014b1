using System.Diagnostics;

namespace Gantry.Node.Runtime;

/// <summary>Runs a host tool (runc, mount, unshare) to completion and captures its output.</summary>
internal static class HostCommand
{
    /// <summary>The outcome of one tool run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>The tool's own words for a failure: stderr, else stdout.</summary>
        public string Message => (string.IsNullOrWhiteSpace(Stderr) ? Stdout : Stderr).Trim();
    }

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="args"/>; stdin is empty.</summary>
    public static async Task<Result> RunAsync(
        string fileName, IEnumerable<string> args, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs a tool and throws with its message when it fails.</summary>
    public static async Task<string> RunCheckedAsync(
        string fileName, IEnumerable<string> args, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var list = args.ToList();
        var result = await RunAsync(fileName, list, cancellationToken, workingDirectory).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', list)} failed ({result.ExitCode}): {result.Message}");
        }

        return result.Stdout;
    }

    /// <summary>The path of host tool <paramref name="name"/> on PATH or in the usual system directories, null when absent.</summary>
    public static string? FindTool(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        return directories.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }
}
