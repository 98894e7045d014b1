using Gantry.ApiServer.Tests.Harness;

namespace Gantry.ApiServer.Tests.Kubectl;

[Collection(ServerCollection.Name)]
public sealed class ExplainAndAuthTests(ServerFixture fixture)
{
    private Gantry.Testing.Processes.Kubectl K => fixture.Kubectl;

    [Fact]
    public async Task Explain_DescribesFieldsFromTheServersOpenApi()
    {
        var output = (await K.RunAsync(["explain", "pods.spec.containers"])).Ok();
        Assert.Contains("KIND:       Pod", output);
        Assert.Contains("image", output);
        Assert.Contains("name\t<string> -required-", output);
        var deploy = (await K.RunAsync(["explain", "deployment.spec.strategy"])).Ok();
        Assert.Contains("rollingUpdate", deploy);
    }

    [Fact]
    public async Task AuthCanI_AnswersYesForTheAdmin()
    {
        Assert.Equal("yes\n", (await K.RunAsync(["auth", "can-i", "delete", "nodes"])).Ok());
        Assert.Equal("yes\n", (await K.RunAsync(["auth", "can-i", "*", "*", "--all-namespaces"])).Ok());
    }

    [Fact]
    public async Task CreateToken_IssuesASignedServiceAccountToken()
    {
        var ns = await K.NewNamespaceAsync("token");
        (await K.RunAsync(["create", "serviceaccount", "robot", "-n", ns])).Ok();
        var token = (await K.RunAsync(["create", "token", "robot", "-n", ns, "--duration=1h"])).Ok().Trim();
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var claims = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(payload));
        Assert.Contains($"\"sub\":\"system:serviceaccount:{ns}:robot\"", claims);
    }

    [Fact]
    public async Task ImperativeCreates_OfEveryKindKubectlSendsAsProtobuf()
    {
        var ns = await K.NewNamespaceAsync("proto");
        string[][] commands =
        [
            ["create", "quota", "q", "--hard=pods=10,cpu=2"],
            ["create", "role", "r", "--verb=get", "--resource=pods"],
            ["create", "rolebinding", "rb", "--role=r", "--user=bob"],
            ["create", "job", "j", "--image=busybox", "--", "echo", "hi"],
            ["create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *", "--", "echo", "hi"],
            ["create", "service", "clusterip", "s", "--tcp=80:8080"],
            ["create", "pdb", "pdb", "--selector=app=x", "--min-available=1"],
        ];
        foreach (var command in commands) Assert.Contains("created", (await K.RunAsync(["-n", ns, .. command])).Ok());
        Assert.Equal("10", await K.JsonPathAsync(ns, "quota/q", "{.spec.hard.pods}"));
        Assert.Equal("8080", await K.JsonPathAsync(ns, "svc/s", "{.spec.ports[0].targetPort}"));
        Assert.Equal("j", await K.JsonPathAsync(ns, "job/j", "{.spec.template.metadata.labels.job-name}"));
        Assert.Equal("*/5 * * * *", await K.JsonPathAsync(ns, "cj/cj", "{.spec.schedule}"));
    }
}
