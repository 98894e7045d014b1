using Gantry.Api.Errors;
using Gantry.Api.Selectors;
using Xunit;

namespace Gantry.Api.Tests.Selectors;

public sealed class LabelSelectorParseTests
{
    private const string NameRule =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
        "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string ValueRule =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
        "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_OfNothing_SelectsEverything(string? text)
    {
        var selector = LabelSelector.Parse(text);
        Assert.True(selector.IsEmpty);
        Assert.False(selector.MatchesNothing);
        Assert.Equal("", selector.ToString());
    }

    [Theory]
    [InlineData("a=b", "a=b")]
    [InlineData("a==b", "a==b")]
    [InlineData("a!=b", "a!=b")]
    [InlineData("a in (y,x)", "a in (x,y)")]
    [InlineData("a notin (x)", "a notin (x)")]
    [InlineData("a", "a")]
    [InlineData("!a", "!a")]
    [InlineData("a>1", "a>1")]
    [InlineData("a<10", "a<10")]
    [InlineData("a=", "a=")]
    [InlineData(" z = 1 ,\ta\t", "a,z=1")]
    [InlineData("x in (x,,y)", "x in (,x,y)")]
    [InlineData("x in ()", "x in ()")]
    [InlineData("x in (in),in=notin", "in=notin,x in (in)")]
    [InlineData("app.kubernetes.io/name=web,tier in (fe, be)", "app.kubernetes.io/name=web,tier in (be,fe)")]
    public void Parse_ReadsKubectlSyntax_IntoCanonicalText(string text, string canonical)
    {
        Assert.Equal(canonical, LabelSelector.Parse(text).ToString());
        Assert.Equal(canonical, LabelSelector.Parse(text).Text);
    }

    [Fact]
    public void Parse_ExposesSortedRequirements()
    {
        var selector = LabelSelector.Parse("tier notin (b,a),app=web");
        Assert.Equal(["app", "tier"], selector.Requirements.Select(r => r.Key));
        Assert.Equal(LabelOperator.NotIn, selector.Requirements[1].Operator);
        Assert.Equal(["a", "b"], selector.Requirements[1].Values);
    }

    [Theory]
    [InlineData("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("a=b,", "found '', expected: identifier after ','")]
    [InlineData("a=b c", "found 'c', expected: ',' or 'end of string'")]
    [InlineData("=a", "found '=', expected: !, identifier, or 'end of string'")]
    [InlineData("!a=b", "found '=', expected: ',' or 'end of string'")]
    [InlineData("a in b", "unable to parse requirement: found 'b' expected: '('")]
    [InlineData("a in (b", "unable to parse requirement: found '', expected: ',' or ')'")]
    [InlineData("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier")]
    [InlineData("a=(b)", "unable to parse requirement: found '(', expected: identifier")]
    [InlineData("!=b", "found '!=', expected: !, identifier, or 'end of string'")]
    [InlineData("! =b", "unable to parse requirement: found '=', expected: identifier")]
    [InlineData("a<-1", "unable to parse requirement: values[0][a]: Invalid value: \"-1\": " + ValueRule)]
    [InlineData("a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer")]
    [InlineData("-a=b", "unable to parse requirement: <nil>: Invalid value: \"-a\": name part " + NameRule)]
    [InlineData("a=b_", "unable to parse requirement: values[0][a]: Invalid value: \"b_\": " + ValueRule)]
    [InlineData("Example.com/a",
        "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
        "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    [InlineData("a/b/c", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name " + NameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    [InlineData("/a", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty")]
    public void Parse_OfBadText_IsBadRequestWithKubernetesMessage(string text, string message)
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse(text));
        Assert.Equal(400, e.Code);
        Assert.Equal("BadRequest", e.Reason);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_OfTooLongValue_ListsBothProblems()
    {
        var value = new string('a', 64) + "-";
        var e = Assert.Throws<ApiException>(() => LabelSelector.Parse("k=" + value));
        Assert.Equal($"unable to parse requirement: values[0][k]: Invalid value: \"{value}\": must be no more than 63 characters; {ValueRule}", e.Message);
    }
}
