using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Gantry.ApiServer.Security.Join;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Cli;

/// <summary>
/// <c>gantry token create|list</c>: bootstrap (join) tokens as kubeadm keeps them — Secrets <c>bootstrap-token-&lt;id&gt;</c>
/// in kube-system — printed as K10 join tokens that carry the hash of the cluster CA.
/// </summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Create and list join tokens");
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(ListCommand());
        return command;
    }

    private static Option<string> DataDir() =>
        new("--data-dir", "-d") { Description = "The server's data dir (its CA, and its admin kubeconfig unless --kubeconfig)", DefaultValueFactory = _ => ServerDataDir() };

    private static Option<string?> Kubeconfig() => new("--kubeconfig") { Description = "Admin kubeconfig (default <data-dir>/kubeconfig.yaml)" };

    private static ApiClient AdminClient(ParseResult result, Option<string?> kubeconfig, string dataDir) =>
        ApiClient.FromKubeconfig(result.GetValue(kubeconfig) ?? Path.Combine(dataDir, "kubeconfig.yaml"));

    private static Command CreateCommand()
    {
        var dataDir = DataDir();
        var kubeconfig = Kubeconfig();
        var ttl = GoDuration.Option("--ttl", "How long the token is valid (0 = forever)", TimeSpan.FromHours(24));
        var description = new Option<string>("--description") { Description = "What the token is for", DefaultValueFactory = _ => "gantry join token" };
        var command = new Command("create", "Create a bootstrap token and print it as a join token") { dataDir, kubeconfig, ttl, description };
        command.SetAction(async (result, cancellationToken) =>
        {
            var dir = Path.GetFullPath(result.GetValue(dataDir)!);
            if (!TryCaPem(dir, out var caPem)) return 1;
            var token = BootstrapToken.Generate();
            var lifetime = result.GetValue(ttl);
            DateTimeOffset? expires = lifetime > TimeSpan.Zero ? DateTimeOffset.UtcNow + lifetime : null;
            var secret = new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = BootstrapToken.SecretPrefix + token[..6], NamespaceProperty = BootstrapToken.Namespace },
                Type = BootstrapToken.SecretType,
                StringData = BootstrapToken.SecretData(token, expires, result.GetValue(description)!),
            };
            try
            {
                using var client = AdminClient(result, kubeconfig, dir);
                await client.For<V1Secret>().CreateAsync(secret, BootstrapToken.Namespace, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or ApiClientException or IOException)
            {
                Console.Error.WriteLine($"gantry: token create: {ex.Message}");
                return 1;
            }
            Console.WriteLine(new JoinToken(JoinToken.HashCa(caPem), token));
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var dataDir = DataDir();
        var kubeconfig = Kubeconfig();
        var command = new Command("list", "List the bootstrap tokens") { dataDir, kubeconfig };
        command.SetAction(async (result, cancellationToken) =>
        {
            var dir = Path.GetFullPath(result.GetValue(dataDir)!);
            if (!TryCaPem(dir, out var caPem)) return 1;
            ResourceList<V1Secret> secrets;
            try
            {
                using var client = AdminClient(result, kubeconfig, dir);
                secrets = await client.For<V1Secret>().ListAsync(BootstrapToken.Namespace, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or ApiClientException or IOException)
            {
                Console.Error.WriteLine($"gantry: token list: {ex.Message}");
                return 1;
            }
            Console.WriteLine($"{"TOKEN",-110} {"EXPIRES",-22} DESCRIPTION");
            foreach (var secret in secrets.Items.Where(s => s.Type == BootstrapToken.SecretType))
            {
                string Data(string key) => secret.Data?.TryGetValue(key, out var bytes) == true ? System.Text.Encoding.UTF8.GetString(bytes) : "";
                var token = new JoinToken(JoinToken.HashCa(caPem), Data("token-id") + "." + Data("token-secret"));
                var expires = Data("expiration") is { Length: > 0 } e ? e : "<forever>";
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-110} {1,-22} {2}", token, expires, Data("description")));
            }
            return 0;
        });
        return command;
    }

    /// <summary>The CA exactly as the server serves it at /cacerts (its PEM export), so the hash matches.</summary>
    private static bool TryCaPem(string dir, out string caPem)
    {
        var path = Path.Combine(dir, "tls", "ca.crt");
        caPem = "";
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"gantry: {path} does not exist (pass the server's --data-dir)");
            return false;
        }
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        caPem = ca.ExportCertificatePem();
        return true;
    }

    private static string ServerDataDir() =>
        Environment.UserName == "root" ? "/var/lib/gantry" : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gantry");
}
