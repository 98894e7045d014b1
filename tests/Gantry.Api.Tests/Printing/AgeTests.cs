using Xunit;
using Gantry.Api.Printing;

namespace Gantry.Api.Tests.Printing;

public sealed class AgeTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(200, "3m20s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 60, "3h1m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(51 * 3600, "2d3h")]
    [InlineData(400 * 86400, "400d")]
    public void Human_FormatsLikeKubectl(int seconds, string expected) =>
        Assert.Equal(expected, Age.Human(TimeSpan.FromSeconds(seconds)));
}
