using Gantry.Node.Images;
using Gantry.Testing.Images;

namespace Gantry.Node.Tests.Images;

/// <summary>imagePullPolicy as the kubelet applies it. Port 1 on 127.0.0.1 has no registry, so any pull attempt fails.</summary>
public sealed class PullPolicyTests : IDisposable
{
    private const string Unreachable = "127.0.0.1:1/busybox:1";
    private readonly TestDirectory _dir = new();
    private readonly ImageService _images;

    public PullPolicyTests() => _images = new ImageService(new NodePaths(_dir["data"], "node-1"));

    public void Dispose()
    {
        _images.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Never_WithoutTheImage_IsErrImageNeverPull()
    {
        var error = await Assert.ThrowsAsync<ImagePullException>(() => _images.EnsureImageAsync("busybox", "Never", [], CancellationToken.None));

        Assert.Equal("ErrImageNeverPull", error.Reason);
        Assert.Equal("Container image \"busybox\" is not present with pull policy of Never", error.Message);
    }

    [Theory]
    [InlineData("Never")]
    [InlineData("IfNotPresent")]
    public async Task PresentImage_IsUsedWithoutContactingTheRegistry(string policy)
    {
        await ImportAsync();

        var image = await _images.EnsureImageAsync(Unreachable, policy, [], CancellationToken.None);

        Assert.Equal([Unreachable], image.RepoTags);
    }

    [Fact]
    public async Task Always_PullsEvenWhenPresent()
    {
        await ImportAsync();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _images.EnsureImageAsync(Unreachable, "Always", [], CancellationToken.None));

        Assert.Equal("ErrImagePull", error.Reason);
        Assert.StartsWith($"failed to pull and unpack image \"{Unreachable}\": ", error.Message);
    }

    [Fact]
    public async Task EmptyPolicy_OnLatest_MeansAlways()
    {
        BusyboxImage.WriteOciLayout(_dir["layout"], "127.0.0.1:1/busybox:latest");
        await _images.ImportAsync(_dir["layout"], CancellationToken.None);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _images.EnsureImageAsync("127.0.0.1:1/busybox", "", [], CancellationToken.None));

        Assert.Equal("ErrImagePull", error.Reason);
    }

    [Theory]
    [InlineData("Busybox")]
    [InlineData("busybox:bad tag")]
    [InlineData("")]
    [InlineData("busybox@sha256:abc")]
    public async Task MalformedName_IsInvalidImageName(string name)
    {
        var error = await Assert.ThrowsAsync<ImagePullException>(() => _images.EnsureImageAsync(name, "IfNotPresent", [], CancellationToken.None));

        Assert.Equal("InvalidImageName", error.Reason);
        Assert.StartsWith($"Failed to apply default image tag \"{name}\": couldn't parse image name \"{name}\": invalid reference format", error.Message);
    }

    private async Task ImportAsync()
    {
        BusyboxImage.WriteOciLayout(_dir["layout"], Unreachable);
        await _images.ImportAsync(_dir["layout"], CancellationToken.None);
    }
}
