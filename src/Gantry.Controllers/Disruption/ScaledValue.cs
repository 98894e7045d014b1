using System.Globalization;
using k8s.Models;

namespace Gantry.Controllers.Disruption;

/// <summary>intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" as N percent of a total, rounded up or down.</summary>
internal static class ScaledValue
{
    public static bool IsPercent(IntOrString? value) => value?.Value is { } text && text.EndsWith('%');

    public static int Of(IntOrString value, int total, bool roundUp)
    {
        var text = value.Value ?? throw new FormatException("nil value for IntOrString");
        if (!text.EndsWith('%'))
        {
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var plain)
                ? plain
                : throw new FormatException($"invalid value for IntOrString: invalid value \"{text}\": strconv.Atoi: parsing \"{text}\": invalid syntax");
        }
        if (!int.TryParse(text[..^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
            throw new FormatException($"invalid value for IntOrString: invalid value \"{text}\"");
        var scaled = (long)percent * total;
        return (int)(roundUp ? (scaled + 99) / 100 : scaled / 100);
    }
}
