using System.Diagnostics;

namespace Gantry.Controllers.Tests.History;

/// <summary>Runs the real kubectl 1.32 against a test cluster's kubeconfig.</summary>
internal static class Kubectl
{
    private const string Binary = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

    /// <summary>Whether kubectl is installed on this machine.</summary>
    public static bool Available => File.Exists(Binary);

    /// <summary>Runs kubectl and returns its exit code, standard output and standard error.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
