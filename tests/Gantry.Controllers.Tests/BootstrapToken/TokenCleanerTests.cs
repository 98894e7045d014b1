using System.Globalization;
using System.Text;
using Gantry.Controllers.BootstrapToken;
using Gantry.Controllers.Tests.Harness;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.BootstrapToken;

public sealed class TokenCleanerTests
{
    private static V1Secret Token(string id, DateTimeOffset? expires, string ns = "kube-system", string type = TokenCleaner.SecretType)
    {
        var data = new Dictionary<string, byte[]>
        {
            ["token-id"] = Encoding.UTF8.GetBytes(id),
            ["token-secret"] = Encoding.UTF8.GetBytes("0123456789abcdef"),
            ["usage-bootstrap-authentication"] = Encoding.UTF8.GetBytes("true"),
        };
        if (expires is { } at) data["expiration"] = Encoding.UTF8.GetBytes(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        return new V1Secret { Metadata = new V1ObjectMeta { Name = $"bootstrap-token-{id}", NamespaceProperty = ns }, Type = type, Data = data };
    }

    [Fact]
    public async Task ExpiredTokens_AreDeleted_WhenTheirTimeComes_AndOthersAreKept()
    {
        await using var cluster = await TestCluster.StartAsync(c => new TokenCleaner(c));
        var secrets = cluster.Client.For<V1Secret>();
        var now = DateTimeOffset.UtcNow;
        await secrets.CreateAsync(Token("expird", now.AddMinutes(-1)), "kube-system");
        await secrets.CreateAsync(Token("soon00", now.AddSeconds(3)), "kube-system");
        await secrets.CreateAsync(Token("never0", null), "kube-system");
        await secrets.CreateAsync(Token("other0", now.AddMinutes(-1), ns: "default"), "default");
        await secrets.CreateAsync(Token("opaque", now.AddMinutes(-1), type: "Opaque"), "kube-system");

        await TestCluster.EventuallyAsync(async () => await secrets.GetAsync("kube-system", "bootstrap-token-expird") is null, "the expired token to go");
        Assert.NotNull(await secrets.GetAsync("kube-system", "bootstrap-token-soon00"));
        await TestCluster.EventuallyAsync(async () => await secrets.GetAsync("kube-system", "bootstrap-token-soon00") is null, "the token to go once it expires", TimeSpan.FromSeconds(15));
        Assert.True(DateTimeOffset.UtcNow >= now.AddSeconds(3).AddSeconds(-1), "deleted before its expiration");

        Assert.NotNull(await secrets.GetAsync("kube-system", "bootstrap-token-never0"));
        Assert.NotNull(await secrets.GetAsync("default", "bootstrap-token-other0"));
        Assert.NotNull(await secrets.GetAsync("kube-system", "bootstrap-token-opaque"));
    }

    [Theory]
    [InlineData("2030-01-02T03:04:05Z", false)]
    [InlineData("2030-01-02T03:04:05.5+02:00", false)]
    [InlineData("2020-01-02T03:04:05Z", true)]
    [InlineData("next tuesday", true)]
    public void TheExpiration_IsReadAsRfc3339_AndUnreadableMeansExpired(string expiration, bool expired)
    {
        var secret = new V1Secret { Data = new Dictionary<string, byte[]> { ["expiration"] = Encoding.UTF8.GetBytes(expiration) } };
        Assert.Equal(expired, TokenCleaner.TimeLeft(secret, new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero)) <= TimeSpan.Zero);
    }
}
