using Gantry.Client.Transport;

namespace Gantry.Client.Tests.Api;

public sealed class KubeconfigTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("gantry-kubeconfig-");

    [Fact]
    public void Read_ResolvesFilesRelativeToTheKubeconfig_AndReadsTokenFile()
    {
        File.WriteAllText(Path.Combine(dir.FullName, "ca.crt"), "CA PEM\n");
        File.WriteAllText(Path.Combine(dir.FullName, "token"), "secret-token\n");
        var path = Write("""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority: ca.crt
            users:
            - name: u
              user:
                tokenFile: token
            contexts:
            - name: ctx
              context:
                cluster: c
                user: u
            current-context: ctx
            """);

        var config = Kubeconfig.Read(path);

        Assert.Equal(("https://10.0.0.1:6443", "CA PEM\n", "secret-token", false), (config.Server, config.CertificateAuthorityPem, config.Token, config.NeedsFullLoader));
    }

    [Fact]
    public void Read_OfANamedContext_TakesItsClusterAndUser()
    {
        var path = Write("""
            clusters:
            - {name: a, cluster: {server: "https://a:6443"}}
            - {name: b, cluster: {server: "https://b:6443", insecure-skip-tls-verify: true}}
            users:
            - {name: ua, user: {token: ta}}
            - {name: ub, user: {exec: {command: get-token}}}
            contexts:
            - {name: first, context: {cluster: a, user: ua}}
            - {name: second, context: {cluster: b, user: ub}}
            current-context: first
            """);

        var current = Kubeconfig.Read(path);
        var second = Kubeconfig.Read(path, "second");

        Assert.Equal(("https://a:6443", "ta", false, false), (current.Server, current.Token, current.InsecureSkipTlsVerify, current.NeedsFullLoader));
        Assert.Equal(("https://b:6443", null, true, true), (second.Server, second.Token, second.InsecureSkipTlsVerify, second.NeedsFullLoader));
    }

    [Fact]
    public void Read_OfAMissingContext_SaysWhich()
    {
        var path = Write("contexts: []\ncurrent-context: gone\n");

        Assert.Contains("no context gone", Assert.Throws<InvalidOperationException>(() => Kubeconfig.Read(path)).Message);
    }

    public void Dispose() => dir.Delete(recursive: true);

    private string Write(string content)
    {
        var path = Path.Combine(dir.FullName, "config");
        File.WriteAllText(path, content);
        return path;
    }
}
