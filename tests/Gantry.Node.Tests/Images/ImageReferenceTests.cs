using Gantry.Node.Images;

namespace Gantry.Node.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/library/busybox:1", "docker.io/library/busybox:1")]
    [InlineData("bitnami/nginx", "docker.io/bitnami/nginx:latest")]
    [InlineData("localhost/app", "localhost/app:latest")]
    [InlineData("localhost:5000/team/app:v2", "localhost:5000/team/app:v2")]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000/app:latest")]
    [InlineData("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10")]
    [InlineData("Example.com/app", "Example.com/app:latest")]
    public void Parse_NormalizesAsTheKubeletReports(string text, string normalized)
    {
        Assert.True(ImageReference.TryParse(text, out var reference, out _));
        Assert.Equal(normalized, reference.WithDefaultTag().ToString());
    }

    [Fact]
    public void Parse_KeepsADigestAndNeedsNoTag()
    {
        var digest = "sha256:" + new string('a', 64);

        Assert.True(ImageReference.TryParse("busybox@" + digest, out var reference, out _));

        Assert.Equal("docker.io/library/busybox@" + digest, reference.WithDefaultTag().ToString());
        Assert.Equal(digest, reference.ManifestReference);
        Assert.Equal("registry-1.docker.io", reference.RegistryHost);
    }

    [Theory]
    [InlineData("library/Busybox")]
    [InlineData("busybox:")]
    [InlineData("-bad")]
    [InlineData("a//b")]
    [InlineData("busybox@sha256:xyz")]
    public void Parse_RejectsMalformedNames(string text) => Assert.False(ImageReference.TryParse(text, out _, out _));

    [Fact]
    public void Credentials_MatchDockerHubAliasesAndRegistryPaths()
    {
        RegistryCredential hub = new("https://index.docker.io/v1/", "u", "p"), team = new("registry.local:5000/team", "t", "p");
        ImageReference.TryParse("busybox", out var busybox, out _);
        ImageReference.TryParse("registry.local:5000/team/app", out var app, out _);
        ImageReference.TryParse("registry.local:5000/other/app", out var other, out _);

        Assert.Same(hub, RegistryClient.FindCredential([team, hub], busybox!));
        Assert.Same(team, RegistryClient.FindCredential([hub, team], app!));
        Assert.Null(RegistryClient.FindCredential([hub, team], other!));
    }

    [Fact]
    public void Challenge_ParametersKeepCommasInsideQuotes()
    {
        var parameters = RegistryAuthenticator.ParseParameters("realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");

        Assert.Equal("https://auth.example/token", parameters["realm"]);
        Assert.Equal("registry.example", parameters["service"]);
        Assert.Equal("repository:a/b:pull,push", parameters["scope"]);
    }
}
