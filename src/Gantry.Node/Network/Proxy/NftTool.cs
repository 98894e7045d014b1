namespace Gantry.Node.Network.Proxy;

/// <summary>Runs <c>nft</c> and reads or writes sysctls, in the agent's network namespace or a named one.</summary>
internal sealed class NftTool(string nftPath, string? networkNamespace)
{
    /// <summary>Where nft is, or a failure naming the Debian package that provides it.</summary>
    public static string Locate()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin"]);
        return directories.Select(d => Path.Combine(d, "nft")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nft not found: the service proxy needs nftables (install the Debian package nftables)");
    }

    /// <summary>Applies one transaction atomically (<c>nft -f -</c>).</summary>
    public async Task ApplyAsync(string transaction, CancellationToken cancellationToken)
    {
        var result = await RunAsync(nftPath, ["-f", "-"], transaction, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded) throw new InvalidOperationException($"nft -f - failed ({result.ExitCode}): {Excerpt(result.Error)}");
    }

    /// <summary>Runs an nft command, returning its output, or null when it failed (e.g. the object does not exist).</summary>
    public async Task<string?> TryRunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await RunAsync(nftPath, arguments, null, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Output : null;
    }

    /// <summary>A sysctl's value (e.g. "net.ipv4.conf.all.route_localnet").</summary>
    public async Task<string> ReadSysctlAsync(string name, CancellationToken cancellationToken)
    {
        if (networkNamespace is null) return (await File.ReadAllTextAsync(SysctlPath(name), cancellationToken).ConfigureAwait(false)).Trim();
        var result = await RunAsync("sysctl", ["-n", name], null, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded) throw new InvalidOperationException($"sysctl -n {name} failed: {Excerpt(result.Error)}");
        return result.Output.Trim();
    }

    /// <summary>Sets a sysctl.</summary>
    public async Task WriteSysctlAsync(string name, string value, CancellationToken cancellationToken)
    {
        if (networkNamespace is null)
        {
            await File.WriteAllTextAsync(SysctlPath(name), value, cancellationToken).ConfigureAwait(false);
            return;
        }
        var result = await RunAsync("sysctl", ["-w", $"{name}={value}"], null, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded) throw new InvalidOperationException($"sysctl -w {name}={value} failed: {Excerpt(result.Error)}");
    }

    private Task<HostCommand.Result> RunAsync(string file, string[] arguments, string? input, CancellationToken cancellationToken) =>
        networkNamespace is null
            ? HostCommand.RunAsync(file, arguments, input, cancellationToken)
            : HostCommand.RunAsync("ip", ["netns", "exec", networkNamespace, file, .. arguments], input, cancellationToken);

    private static string SysctlPath(string name) => "/proc/sys/" + name.Replace('.', '/');

    // A failed transaction of thousands of lines would quote most of them back: keep the first errors.
    private static string Excerpt(string error)
    {
        var trimmed = error.Trim();
        return trimmed.Length <= 2000 ? trimmed : trimmed[..2000] + " ...";
    }
}
