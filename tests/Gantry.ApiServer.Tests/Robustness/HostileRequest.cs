namespace Gantry.ApiServer.Tests.Robustness;

/// <summary>One malformed or hostile request and the 4xx answers Kubernetes would give it.</summary>
/// <param name="Category">What is wrong with it (for grouping failures).</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Path and query, relative to the server.</param>
/// <param name="ContentType">Content-Type of the body, or null without a body.</param>
/// <param name="Body">The body bytes, or null.</param>
/// <param name="Expected">Acceptable statuses; empty means any 4xx.</param>
public sealed record HostileRequest(string Category, string Method, string Path, string? ContentType, byte[]? Body, int[] Expected)
{
    /// <summary>A short description for failure messages (the body is abbreviated).</summary>
    public override string ToString()
    {
        var body = Body is null ? "" : Body.Length > 120 ? $" body[{Body.Length} bytes]: {Preview(Body)}..." : $" body: {Preview(Body)}";
        return $"[{Category}] {Method} {Path} ({ContentType ?? "no content type"}){body}";
    }

    private static string Preview(byte[] body) =>
        new(System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 120)).Select(c => char.IsControl(c) ? '.' : c).ToArray());
}
