using Gantry.E2E.Tests.Harness;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.Pods;

/// <summary>
/// A pod's service account credentials, mounted by the agent (which runs with node credentials, so the Node authorizer
/// must let it fetch them), authenticate the pod against the API and get exactly what RBAC grants its account.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ServiceAccountTokenTests(NodeCluster cluster)
{
    private const string Mount = "/var/run/secrets/kubernetes.io/serviceaccount";

    private Kubectl K => cluster.Kubectl;

    [Fact]
    public async Task PodsMountedToken_AuthenticatesAsItsServiceAccount_AndGetsWhatRbacGrants()
    {
        var ns = await K.NewNamespaceAsync("satoken");
        await K.ApplyAsync(ns, WebDeploymentTests.SleeperPod("reader"));
        (await K.RunAsync(["wait", "-n", ns, "--for=condition=Ready", "pod/reader", "--timeout=120s"], timeout: TimeSpan.FromMinutes(3))).Ok();
        var token = (await K.RunAsync(["exec", "-n", ns, "reader", "--", "cat", $"{Mount}/token"])).Ok().Trim();
        var podCa = (await K.RunAsync(["exec", "-n", ns, "reader", "--", "cat", $"{Mount}/ca.crt"])).Ok();
        Assert.Equal(ns + "\n", (await K.RunAsync(["exec", "-n", ns, "reader", "--", "sh", "-c", $"cat {Mount}/namespace; echo"])).Ok());
        var caFile = Path.Combine(cluster.DataDir, $"pod-ca-{ns}.crt");
        await File.WriteAllTextAsync(caFile, podCa);
        try
        {
            // The pod's view of the API: its token, trusting only the CA it was given.
            string[] asPod = ["--kubeconfig", "/dev/null", "--server", cluster.Server.Url, "--certificate-authority", caFile, "--token", token];
            var whoami = (await K.RunAsync(["auth", "whoami", .. asPod])).Ok();
            Assert.Contains($"system:serviceaccount:{ns}:default", whoami);
            Assert.Contains("authentication.kubernetes.io/pod-name", whoami);
            var denied = await K.RunAsync(["get", "pods", "-n", ns, .. asPod]);
            Assert.Contains($"pods is forbidden: User \"system:serviceaccount:{ns}:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"",
                denied.Stderr);
            (await K.RunAsync(["create", "rolebinding", "default-view", "-n", ns, "--clusterrole=view", $"--serviceaccount={ns}:default"])).Ok();
            await Gantry.Testing.Eventually.HoldsAsync(async () => (await K.RunAsync(["get", "pods", "-n", ns, .. asPod])).Stdout.Contains("reader"),
                "the pod's account may list pods", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(250));
            Assert.Equal("no\n", (await K.RunAsync(["auth", "can-i", "delete", "pods", "-n", ns, .. asPod])).Stdout);
        }
        finally
        {
            File.Delete(caFile);
        }
    }
}
