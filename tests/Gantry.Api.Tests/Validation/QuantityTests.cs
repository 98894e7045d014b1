using Gantry.Api.Validation;

namespace Gantry.Api.Tests.Validation;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("2", 2)]
    [InlineData("1Ki", 1024)]
    [InlineData("1Gi", 1073741824)]
    [InlineData("1G", 1000000000)]
    [InlineData("1e3", 1000)]
    public void TryParse_ReadsSuffixes(string text, double expected)
    {
        Assert.True(Quantity.TryParse(text, out var value));
        Assert.Equal((decimal)expected, value);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1Xi")]
    [InlineData("")]
    public void TryParse_RejectsNonQuantities(string text) => Assert.False(Quantity.TryParse(text, out _));
}
