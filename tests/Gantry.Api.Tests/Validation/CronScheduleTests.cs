using Gantry.Api.Validation;

namespace Gantry.Api.Tests.Validation;

public sealed class CronScheduleTests
{
    [Theory]
    [InlineData("*/5 * * * *")]
    [InlineData("0 0 1 jan,jul mon-fri")]
    [InlineData("@daily")]
    [InlineData("@every 1h")]
    [InlineData("0 12 ? * SUN")]
    public void Error_IsNullForValidSchedules(string schedule) => Assert.Null(CronSchedule.Error(schedule));

    [Theory]
    [InlineData("@often", "unrecognized descriptor: @often")]
    [InlineData("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]")]
    [InlineData("* 24 * * *", "end of range (24) above maximum (23): 24")]
    [InlineData("* * 0 * *", "beginning of range (0) below minimum (1): 0")]
    [InlineData("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1")]
    [InlineData("x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("*/0 * * * *", "step of range should be a positive number: */0")]
    [InlineData("1-2-3 * * * *", "too many hyphens: 1-2-3")]
    public void Error_WordsFailuresLikeTheCronParser(string schedule, string expected)
    {
        Assert.Equal(expected, CronSchedule.Error(schedule));
    }
}
