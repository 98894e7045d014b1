using System.Text.Json.Nodes;
using Gantry.Node.Images;

namespace Gantry.Node.Tests.Images;

public sealed class RegistryPullTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ImageService NewService() => new(new NodePaths(_dir["data"], "node-1"));

    [Fact]
    public async Task Pull_FromALocalRegistry_StoresARunnableImage()
    {
        using var images = NewService();
        var name = $"{registry.Registry.Host}/busybox:1";

        var image = await images.EnsureImageAsync(name, "IfNotPresent", [], CancellationToken.None);

        Assert.Equal(registry.Amd64Id, image.Id);
        Assert.Equal([name], image.RepoTags);
        Assert.True(File.Exists(Path.Combine(image.LayerDirs[0], "bin/busybox")));
        Assert.Equal(["sh"], image.Config.Cmd);
        Assert.Equal(image.Id, images.Find(name)?.Id);
    }

    [Fact]
    public async Task Pull_DockerSchema2Image_GivesTheSameImage()
    {
        using var images = NewService();

        var image = await images.EnsureImageAsync($"{registry.Registry.Host}/busybox:docker", "IfNotPresent", [], CancellationToken.None);

        Assert.Equal(registry.Amd64Id, image.Id);
    }

    [Fact]
    public async Task Pull_ManifestList_TakesTheLinuxAmd64Entry()
    {
        using var images = NewService();
        var name = $"{registry.Registry.Host}/busybox:multi";

        var image = await images.EnsureImageAsync(name, "Always", [], CancellationToken.None);

        Assert.Equal(registry.Amd64Id, image.Id);
        Assert.Equal([$"{registry.Registry.Host}/busybox@{registry.IndexDigest}"], image.RepoDigests);
    }

    [Fact]
    public async Task Pull_ByDigest_VerifiesAndRecordsTheDigest()
    {
        using var images = NewService();
        var name = $"{registry.Registry.Host}/busybox@{registry.IndexDigest}";

        var image = await images.EnsureImageAsync(name, "IfNotPresent", [], CancellationToken.None);

        Assert.Empty(image.RepoTags);
        Assert.Equal(image.Id, images.Find(name)?.Id);
    }

    [Fact]
    public async Task Pull_MissingTag_IsErrImagePullSayingNotFound()
    {
        using var images = NewService();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync($"{registry.Registry.Host}/busybox:nope", "IfNotPresent", [], CancellationToken.None));

        Assert.Equal("ErrImagePull", error.Reason);
        Assert.Contains("not found", error.Message);
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Bearer")]
    public async Task Pull_WithCredentialsFromAPullSecret_AnswersTheChallenge(string scheme)
    {
        await using var front = new AuthFront(scheme, registry.Registry.Host);
        using var images = NewService();
        var name = $"{front.Host}/busybox:1";
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(AuthFront.User + ":" + AuthFront.Password));
        var secret = new Dictionary<string, byte[]>
        {
            [DockerConfigJson.DataKey] = System.Text.Encoding.UTF8.GetBytes(new JsonObject
            {
                ["auths"] = new JsonObject { ["http://" + front.Host] = new JsonObject { ["auth"] = auth } },
            }.ToJsonString()),
        };

        var denied = await Assert.ThrowsAsync<ImagePullException>(() => images.EnsureImageAsync(name, "IfNotPresent", [], CancellationToken.None));
        var image = await images.EnsureImageAsync(name, "IfNotPresent", DockerConfigJson.Parse(secret), CancellationToken.None);

        Assert.Equal("ErrImagePull", denied.Reason);
        Assert.Equal(registry.Amd64Id, image.Id);
        if (scheme == "Bearer") Assert.Contains("?service=gantry-test&scope=repository%3Abusybox%3Apull", front.TokenRequests);
    }
}
