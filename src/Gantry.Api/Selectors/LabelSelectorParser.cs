namespace Gantry.Api.Selectors;

/// <summary>
/// The label selector grammar of k8s.io/apimachinery/pkg/labels (Lexer and Parser), producing the same
/// requirements and the same error texts, so clients see Kubernetes' messages.
/// </summary>
internal sealed class LabelSelectorParser
{
    private enum Token { EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals, GreaterThan, Identifier, In, LessThan, NotEquals, NotIn, OpenPar }

    private static readonly Dictionary<string, Token> Literals = new(StringComparer.Ordinal)
    {
        [")"] = Token.ClosedPar, [","] = Token.Comma, ["!"] = Token.DoesNotExist, ["=="] = Token.DoubleEquals,
        ["="] = Token.Equals, [">"] = Token.GreaterThan, ["in"] = Token.In, ["<"] = Token.LessThan,
        ["!="] = Token.NotEquals, ["notin"] = Token.NotIn, ["("] = Token.OpenPar,
    };

    private readonly List<(Token Token, string Literal)> _items;
    private int _position;

    private LabelSelectorParser(string text) => _items = Scan(text);

    /// <summary>Parses selector text into requirements sorted by key, or throws <see cref="FormatException"/> with Kubernetes' message.</summary>
    public static List<LabelRequirement> Parse(string text)
    {
        var requirements = new LabelSelectorParser(text).ParseAll();
        return [.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)];
    }

    private List<LabelRequirement> ParseAll()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (token, literal) = Lookahead(values: true);
            switch (token)
            {
                case Token.Identifier or Token.DoesNotExist:
                    try
                    {
                        requirements.Add(ParseRequirement());
                    }
                    catch (FormatException e)
                    {
                        throw new FormatException("unable to parse requirement: " + e.Message);
                    }
                    var (next, nextLiteral) = Consume(values: true);
                    switch (next)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (after, afterLiteral) = Lookahead(values: true);
                            if (after is not (Token.Identifier or Token.DoesNotExist))
                                throw new FormatException($"found '{afterLiteral}', expected: identifier after ','");
                            break;
                        default:
                            throw new FormatException($"found '{nextLiteral}', expected: ',' or 'end of string'");
                    }
                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw new FormatException($"found '{literal}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        var (key, op) = ParseKeyAndInferOperator();
        List<string> values;
        if (op is LabelOperator.Exists or LabelOperator.DoesNotExist)
            values = [];
        else
        {
            op = ParseOperator();
            values = op is LabelOperator.In or LabelOperator.NotIn ? ParseValues() : ParseExactValue();
        }
        var errors = new List<string>();
        var requirement = LabelRequirement.Create(key, op.Value, values, errors);
        if (errors.Count > 0) throw new FormatException(LabelSelector.Aggregate(errors));
        return requirement;
    }

    // Returns no operator when one must be parsed next.
    private (string Key, LabelOperator? Operator) ParseKeyAndInferOperator()
    {
        var op = (LabelOperator?)null;
        var (token, literal) = Consume(values: true);
        if (token == Token.DoesNotExist)
        {
            op = LabelOperator.DoesNotExist;
            (token, literal) = Consume(values: true);
        }
        if (token != Token.Identifier) throw new FormatException($"found '{literal}', expected: identifier");
        var keyErrors = LabelValidation.KeyErrors(literal);
        // The parser validates the key against a nil field path, which Go prints as "<nil>".
        if (keyErrors.Count > 0) throw new FormatException(LabelValidation.Invalid("<nil>", LabelValidation.Quote(literal), string.Join("; ", keyErrors)));
        if (Lookahead(values: true).Token is Token.EndOfString or Token.Comma && op is null) op = LabelOperator.Exists;
        return (literal, op);
    }

    private LabelOperator ParseOperator()
    {
        var (token, literal) = Consume(values: false);
        return token switch
        {
            Token.In => LabelOperator.In,
            Token.Equals => LabelOperator.Equals,
            Token.DoubleEquals => LabelOperator.DoubleEquals,
            Token.GreaterThan => LabelOperator.GreaterThan,
            Token.LessThan => LabelOperator.LessThan,
            Token.NotIn => LabelOperator.NotIn,
            Token.NotEquals => LabelOperator.NotEquals,
            _ => throw new FormatException($"found '{literal}', expected: in, notin, =, ==, !=, gt, lt"),
        };
    }

    private List<string> ParseValues()
    {
        var (token, literal) = Consume(values: true);
        if (token != Token.OpenPar) throw new FormatException($"found '{literal}' expected: '('");
        (token, literal) = Lookahead(values: true);
        switch (token)
        {
            case Token.Identifier or Token.Comma:
                var set = ParseIdentifiersList();
                if (Consume(values: true).Token != Token.ClosedPar) throw new FormatException($"found '{literal}', expected: ')'");
                return set;
            case Token.ClosedPar:
                Consume(values: true);
                return [""];
            default:
                throw new FormatException($"found '{literal}', expected: ',', ')' or identifier");
        }
    }

    // A sorted set, like sets.String.List(): empty entries stand for empty values, as in "(a,,b)".
    private List<string> ParseIdentifiersList()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (token, literal) = Consume(values: true);
            switch (token)
            {
                case Token.Identifier:
                    set.Add(literal);
                    var (next, nextLiteral) = Lookahead(values: true);
                    if (next == Token.Comma) continue;
                    if (next == Token.ClosedPar) return [.. set];
                    throw new FormatException($"found '{nextLiteral}', expected: ',' or ')'");
                case Token.Comma:
                    if (set.Count == 0) set.Add("");
                    var following = Lookahead(values: true).Token;
                    if (following == Token.ClosedPar)
                    {
                        set.Add("");
                        return [.. set];
                    }
                    if (following == Token.Comma) set.Add("");
                    break;
                default:
                    throw new FormatException($"found '{literal}', expected: ',', or identifier");
            }
        }
    }

    private List<string> ParseExactValue()
    {
        if (Lookahead(values: true).Token is Token.EndOfString or Token.Comma) return [""];
        var (token, literal) = Consume(values: true);
        if (token == Token.Identifier) return [literal];
        throw new FormatException($"found '{literal}', expected: identifier");
    }

    // In a values context the keywords "in" and "notin" are plain identifiers ("x in (in)").
    private (Token Token, string Literal) Lookahead(bool values) => AsContext(_items[_position], values);

    private (Token Token, string Literal) Consume(bool values) => AsContext(_items[_position++], values);

    private static (Token Token, string Literal) AsContext((Token Token, string Literal) item, bool values) =>
        values && item.Token is Token.In or Token.NotIn ? (Token.Identifier, item.Literal) : item;

    private static List<(Token, string)> Scan(string s)
    {
        var items = new List<(Token, string)>();
        var pos = 0;
        while (true)
        {
            while (pos < s.Length && IsWhitespace(s[pos])) pos++;
            if (pos >= s.Length)
            {
                items.Add((Token.EndOfString, ""));
                return items;
            }
            var start = pos;
            if (IsSpecial(s[pos]))
            {
                // Longest run of special symbols that is still a known operator ("!=" rather than "!" then "=").
                var end = pos + 1;
                while (end < s.Length && IsSpecial(s[end]) && Literals.ContainsKey(s[start..(end + 1)])) end++;
                var literal = s[start..end];
                items.Add((Literals[literal], literal));
                pos = end;
            }
            else
            {
                while (pos < s.Length && !IsSpecial(s[pos]) && !IsWhitespace(s[pos])) pos++;
                var literal = s[start..pos];
                items.Add((Literals.TryGetValue(literal, out var keyword) ? keyword : Token.Identifier, literal));
            }
        }
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecial(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';
}
