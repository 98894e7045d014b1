using System.Diagnostics;

namespace Gantry.Controllers.Tests.Deployment;

/// <summary>Runs the real kubectl 1.32 against the test cluster.</summary>
internal static class Kubectl
{
    private const string Path = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

    public static async Task<(int ExitCode, string Output)> RunAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig=" + kubeconfig);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
