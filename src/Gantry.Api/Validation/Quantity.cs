using System.Globalization;
using System.Text.RegularExpressions;

namespace Gantry.Api.Validation;

/// <summary>Parses Kubernetes resource quantities ("500m", "1Gi", "1e3") to compare requests with limits.</summary>
public static partial class Quantity
{
    /// <summary>The message Kubernetes gives for text that is not a quantity.</summary>
    public const string FormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    /// <summary>Parses a quantity to its value in base units; false when the text is not a quantity.</summary>
    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        var match = QuantityRegex().Match(text);
        if (!match.Success || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;
        var suffix = match.Groups[2].Value;
        decimal multiplier;
        switch (suffix)
        {
            case "": multiplier = 1; break;
            case "n": multiplier = 0.000000001m; break;
            case "u": multiplier = 0.000001m; break;
            case "m": multiplier = 0.001m; break;
            case "k": multiplier = 1e3m; break;
            case "M": multiplier = 1e6m; break;
            case "G": multiplier = 1e9m; break;
            case "T": multiplier = 1e12m; break;
            case "P": multiplier = 1e15m; break;
            case "E": multiplier = 1e18m; break;
            case "Ki": multiplier = 1024m; break;
            case "Mi": multiplier = 1024m * 1024; break;
            case "Gi": multiplier = 1024m * 1024 * 1024; break;
            case "Ti": multiplier = 1024m * 1024 * 1024 * 1024; break;
            case "Pi": multiplier = 1024m * 1024 * 1024 * 1024 * 1024; break;
            case "Ei": multiplier = 1024m * 1024 * 1024 * 1024 * 1024 * 1024; break;
            default:
                if (suffix[0] is not ('e' or 'E') || !int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent)
                    || exponent is < -18 or > 18)
                    return false;
                multiplier = exponent >= 0 ? Pow10(exponent) : 1 / Pow10(-exponent);
                break;
        }
        try
        {
            value = number * multiplier;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static decimal Pow10(int exponent)
    {
        decimal result = 1;
        for (var i = 0; i < exponent; i++) result *= 10;
        return result;
    }

    [GeneratedRegex(@"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)\z")]
    private static partial Regex QuantityRegex();
}
