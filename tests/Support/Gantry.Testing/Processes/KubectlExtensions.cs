namespace Gantry.Testing.Processes;

/// <summary>Conveniences for kubectl-driven tests.</summary>
public static class KubectlExtensions
{
    /// <summary>Creates a fresh namespace with a unique name through kubectl and returns its name.</summary>
    public static async Task<string> NewNamespaceAsync(this Kubectl kubectl, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        (await kubectl.RunAsync(["create", "namespace", name])).Ok();
        return name;
    }

    /// <summary>Applies a manifest given inline.</summary>
    public static async Task<string> ApplyAsync(this Kubectl kubectl, string ns, string manifest, params string[] extra) =>
        (await kubectl.RunAsync(["apply", "-n", ns, "-f", "-", .. extra], manifest)).Ok();

    /// <summary>Reads a jsonpath of an object.</summary>
    public static async Task<string> JsonPathAsync(this Kubectl kubectl, string ns, string target, string path) =>
        (await kubectl.RunAsync(["get", "-n", ns, target, "-o", $"jsonpath={path}"])).Ok();
}
