using System.Diagnostics;

namespace Gantry.Node.Network;

/// <summary>Runs a host tool (ip, iptables-save, mount ...) and captures what it prints.</summary>
internal static class HostCommand
{
    /// <summary>The result of one run.</summary>
    internal readonly record struct Result(int ExitCode, string Output, string Error)
    {
        /// <summary>Whether the tool exited with 0.</summary>
        public bool Succeeded => ExitCode == 0;
    }

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/>, feeding <paramref name="input"/> on stdin when given,
    /// with <paramref name="environment"/> added to the inherited environment.
    /// </summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, string? input, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            if (input is not null) await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs the tool and throws with its error output when it fails.</summary>
    public static async Task<string> RunCheckedAsync(string file, IEnumerable<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var args = arguments.ToList();
        var result = await RunAsync(file, args, input, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({result.ExitCode}): {result.Error.Trim()} {result.Output.Trim()}".Trim());
        }
        return result.Output;
    }
}
