using System.Text;

namespace Gantry.Node.Pods;

/// <summary>
/// Kubernetes' $(VAR) expansion of env values, command and args: $(NAME) is replaced when NAME is defined and left as
/// written otherwise, $$ is an escaped $, anything else is kept.
/// </summary>
internal static class Expansion
{
    /// <summary>Expands <paramref name="input"/> with <paramref name="lookup"/>.</summary>
    public static string Expand(string input, Func<string, string?> lookup)
    {
        if (!input.Contains('$', StringComparison.Ordinal)) return input;
        var output = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (c != '$' || i + 1 >= input.Length)
            {
                output.Append(c);
                i++;
                continue;
            }
            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close < 0)
                {
                    // An unterminated reference is kept as written.
                    output.Append("$(");
                    i += 2;
                    continue;
                }
                var name = input[(i + 2)..close];
                output.Append(lookup(name) ?? $"$({name})");
                i = close + 1;
            }
            else
            {
                output.Append('$').Append(next);
                i += 2;
            }
        }
        return output.ToString();
    }
}
