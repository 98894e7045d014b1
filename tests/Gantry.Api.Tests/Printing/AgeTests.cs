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

    [Theory]
    [InlineData(-500, "0s")]
    [InlineData(-1500, "0s")]
    [InlineData(-2000, "<invalid>")]
    public void Human_ToleratesUpToASecondOfClockSkew(int milliseconds, string expected) =>
        Assert.Equal(expected, Age.Human(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData(9 * 60 + 59, "9m59s")]
    [InlineData(179 * 60, "179m")]
    [InlineData(7 * 3600 + 59 * 60, "7h59m")]
    [InlineData(8 * 86400, "8d")]
    [InlineData(3 * 365 * 86400, "3y")]
    [InlineData((3 * 365 + 5) * 86400, "3y5d")]
    [InlineData(9 * 365 * 86400, "9y")]
    public void Human_MatchesHumanDurationRanges(int seconds, string expected) =>
        Assert.Equal(expected, Age.Human(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Since_WithoutTimestamp_IsUnknown() =>
        Assert.Equal("<unknown>", Age.Since((DateTimeOffset?)null, DateTimeOffset.UnixEpoch));
}
