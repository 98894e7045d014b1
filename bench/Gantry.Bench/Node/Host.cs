using System.Diagnostics;

namespace Gantry.Bench.Node;

/// <summary>Runs host tools (runc, ip, umount, gantry image import) to completion.</summary>
internal static class Host
{
    /// <summary>Runs <paramref name="file"/>; returns its exit code and stdout+stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>Runs <paramref name="file"/>; throws with its output when it fails.</summary>
    public static async Task<string> CheckedAsync(string file, params string[] args)
    {
        var (code, output) = await RunAsync(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}): {output.Trim()}");
        return output;
    }

    /// <summary>Throws unless this is root with runc, conmon, the CNI plugins and busybox-static installed.</summary>
    public static void CheckPrerequisites()
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("the node suite runs real containers: run it as root");
        string[] tools = ["/usr/sbin/runc", "/usr/bin/conmon", "/usr/lib/cni/bridge", "/usr/sbin/ip", "/bin/busybox"];
        var missing = tools.Where(t => !File.Exists(t)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"node suite: missing {string.Join(", ", missing)}: run scripts/install-packages test");
    }
}
