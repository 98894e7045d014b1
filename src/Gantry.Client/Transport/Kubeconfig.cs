using System.Text;
using YamlDotNet.RepresentationModel;

namespace Gantry.Client.Transport;

/// <summary>
/// One context of a kubeconfig file, read with YamlDotNet's node model: the cluster's server and CA, the user's token
/// or client certificate. KubernetesClient's own loader deserializes through KubernetesYaml, whose setup reflects over
/// every model type of the library (about 45 MB resident in a process that otherwise needs few of them).
/// </summary>
public sealed record Kubeconfig
{
    /// <summary>The cluster's server URL.</summary>
    public required string Server { get; init; }

    /// <summary>The cluster's CA certificates (PEM) from certificate-authority-data or the certificate-authority file.</summary>
    public string? CertificateAuthorityPem { get; init; }

    /// <summary>The cluster's insecure-skip-tls-verify.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The user's bearer token (token, or the content of tokenFile).</summary>
    public string? Token { get; init; }

    /// <summary>The user's client certificate (PEM) from client-certificate-data or the client-certificate file.</summary>
    public string? ClientCertificatePem { get; init; }

    /// <summary>The user's client key (PEM) from client-key-data or the client-key file.</summary>
    public string? ClientKeyPem { get; init; }

    /// <summary>
    /// Whether the user authenticates in a way this reader does not implement (exec plugin, auth-provider, basic auth);
    /// KubernetesClient's loader handles those.
    /// </summary>
    public bool NeedsFullLoader { get; init; }

    /// <summary>Reads context <paramref name="context"/> (the current context when null) of the kubeconfig at <paramref name="path"/>.</summary>
    public static Kubeconfig Read(string path, string? context = null)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        if (root is null) throw new InvalidOperationException($"{path}: not a kubeconfig");

        var contextName = context ?? Scalar(root, "current-context")
            ?? throw new InvalidOperationException($"{path}: no context given and no current-context");
        var contextDetails = Named(root, "contexts", contextName, "context")
            ?? throw new InvalidOperationException($"{path}: no context {contextName}");
        var clusterName = Scalar(contextDetails, "cluster") ?? throw new InvalidOperationException($"{path}: context {contextName} names no cluster");
        var cluster = Named(root, "clusters", clusterName, "cluster") ?? throw new InvalidOperationException($"{path}: no cluster {clusterName}");
        var userName = Scalar(contextDetails, "user");
        var user = userName is null ? null : Named(root, "users", userName, "user");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;

        return new Kubeconfig
        {
            Server = Scalar(cluster, "server") ?? throw new InvalidOperationException($"{path}: cluster {clusterName} has no server"),
            CertificateAuthorityPem = Pem(cluster, "certificate-authority-data", "certificate-authority", directory),
            InsecureSkipTlsVerify = string.Equals(Scalar(cluster, "insecure-skip-tls-verify"), "true", StringComparison.OrdinalIgnoreCase),
            Token = user is null ? null : Scalar(user, "token") ?? File(user, "tokenFile", directory)?.Trim(),
            ClientCertificatePem = user is null ? null : Pem(user, "client-certificate-data", "client-certificate", directory),
            ClientKeyPem = user is null ? null : Pem(user, "client-key-data", "client-key", directory),
            NeedsFullLoader = user is not null && new[] { "exec", "auth-provider", "username" }.Any(key => user.Children.ContainsKey(key)),
        };
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;

    // An entry of a named list (clusters, contexts, users): { name: <name>, <field>: { ... } }.
    private static YamlMappingNode? Named(YamlMappingNode root, string list, string name, string field) =>
        root.Children.TryGetValue(list, out var entries) && entries is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>().FirstOrDefault(e => Scalar(e, "name") == name) is { } entry
              && entry.Children.TryGetValue(field, out var details) ? details as YamlMappingNode : null
            : null;

    private static string? Pem(YamlMappingNode node, string dataKey, string fileKey, string directory) =>
        Scalar(node, dataKey) is { } data ? Encoding.UTF8.GetString(Convert.FromBase64String(data)) : File(node, fileKey, directory);

    // Relative paths in a kubeconfig are relative to the file itself, as kubectl resolves them.
    private static string? File(YamlMappingNode node, string key, string directory) =>
        Scalar(node, key) is { } file ? System.IO.File.ReadAllText(Path.Combine(directory, file)) : null;
}
