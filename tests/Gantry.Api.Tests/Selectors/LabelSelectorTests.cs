using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Selectors;
using Xunit;

namespace Gantry.Api.Tests.Selectors;

public sealed class LabelSelectorTests
{
    private static JsonObject Labels(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData("app=web", """{"app":"web"}""", true)]
    [InlineData("app=web", """{"app":"db"}""", false)]
    [InlineData("app=web", "{}", false)]
    [InlineData("app!=web", "{}", true)]
    [InlineData("app!=web", """{"app":"web"}""", false)]
    [InlineData("app in (web,db)", """{"app":"db"}""", true)]
    [InlineData("app notin (web,db)", """{"app":"cache"}""", true)]
    [InlineData("app notin (web,db)", "{}", true)]
    [InlineData("app", """{"app":""}""", true)]
    [InlineData("!app", """{"app":""}""", false)]
    [InlineData("!app", """{"tier":"fe"}""", true)]
    [InlineData("gen>5", """{"gen":"10"}""", true)]
    [InlineData("gen>5", """{"gen":"5"}""", false)]
    [InlineData("gen<5", """{"gen":"-3"}""", true)]
    [InlineData("gen>5", """{"gen":"ten"}""", false)]
    [InlineData("gen>5", "{}", false)]
    [InlineData("app=web,tier=fe", """{"app":"web","tier":"fe","x":"y"}""", true)]
    [InlineData("app=web,tier=fe", """{"app":"web"}""", false)]
    [InlineData("app=", """{"app":""}""", true)]
    public void Matches_AppliesEveryRequirement(string selector, string labels, bool expected) =>
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels(labels)));

    [Fact]
    public void EverythingAndNothing_MatchAllAndNone()
    {
        Assert.True(LabelSelector.Everything.Matches(null));
        Assert.True(LabelSelector.Everything.IsEmpty);
        Assert.False(LabelSelector.Nothing.Matches(Labels("{}")));
        Assert.False(LabelSelector.Nothing.IsEmpty);
        Assert.True(LabelSelector.Nothing.MatchesNothing);
        Assert.Equal("", LabelSelector.Nothing.ToString());
    }

    [Fact]
    public void FromLabelSelectorObject_OfNull_MatchesNothing_AndOfEmpty_MatchesEverything()
    {
        Assert.Same(LabelSelector.Nothing, LabelSelector.FromLabelSelectorObject(null));
        Assert.Same(LabelSelector.Everything, LabelSelector.FromLabelSelectorObject(new JsonObject()));
        Assert.Same(LabelSelector.Everything, LabelSelector.FromLabelSelectorObject(JsonNode.Parse("""{"matchLabels":{},"matchExpressions":[]}""")));
    }

    [Fact]
    public void FromLabelSelectorObject_CombinesMatchLabelsAndExpressions()
    {
        var selector = LabelSelector.FromLabelSelectorObject(JsonNode.Parse("""
            {"matchLabels":{"app":"web"},
             "matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]},{"key":"env","operator":"NotIn","values":["dev"]},
                                 {"key":"canary","operator":"DoesNotExist"},{"key":"zone","operator":"Exists"}]}
            """));
        Assert.Equal("app=web,!canary,env notin (dev),tier in (be,fe),zone", selector.ToString());
        Assert.True(selector.Matches(Labels("""{"app":"web","tier":"fe","zone":"a"}""")));
        Assert.False(selector.Matches(Labels("""{"app":"web","tier":"fe","zone":"a","canary":"1"}""")));
        Assert.False(selector.Matches(Labels("""{"app":"web","tier":"fe"}""")));
    }

    [Theory]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Equals","values":["x"]}]}""", "\"Equals\" is not a valid label selector operator")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"In"}]}""", "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]}""", "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Exists","values":["x","y"]}]}""", "values: Invalid value: []string{\"x\", \"y\"}: values set must be empty for exists and does not exist")]
    [InlineData("""{"matchLabels":{"a b":"c"}}""", "key: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")]
    public void FromLabelSelectorObject_OfInvalidSelector_IsBadRequest(string json, string message)
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.FromLabelSelectorObject(JsonNode.Parse(json)));
        Assert.Equal(400, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void FromLabelSelectorObject_WithSeveralProblems_ListsThemInBrackets()
    {
        var e = Assert.Throws<ApiException>(() => LabelSelector.FromLabelSelectorObject(JsonNode.Parse(
            """{"matchExpressions":[{"key":"-a","operator":"In","values":["_"]}]}""")));
        Assert.StartsWith("[key: Invalid value: \"-a\": name part", e.Message);
        Assert.Contains(", values[0][-a]: Invalid value: \"_\": a valid label", e.Message);
        Assert.EndsWith("]", e.Message);
    }

    [Theory]
    [InlineData(null, "<none>")]
    [InlineData("{}", "<none>")]
    [InlineData("""{"matchLabels":{"b":"2","a":"1"}}""", "a=1,b=2")]
    [InlineData("""{"matchExpressions":[{"key":"a","operator":"Bogus"}]}""", "<error>")]
    public void Format_PrintsLikeFormatLabelSelector(string? json, string expected) =>
        Assert.Equal(expected, LabelSelector.Format(json is null ? null : JsonNode.Parse(json)));

    [Fact]
    public void FormatLabels_SortsPairsOrPrintsNone()
    {
        Assert.Equal("a=1,b=2", LabelSelector.FormatLabels(Labels("""{"b":"2","a":"1"}""")));
        Assert.Equal("<none>", LabelSelector.FormatLabels(null));
        Assert.Equal("<none>", LabelSelector.FormatLabels(new JsonObject()));
    }

    [Fact]
    public void FromLabels_MatchesExactlyTheSet()
    {
        var selector = LabelSelector.FromLabels(Labels("""{"tier":"fe","app":"web"}"""));
        Assert.Equal("app=web,tier=fe", selector.ToString());
        Assert.True(selector.Matches(Labels("""{"app":"web","tier":"fe","pod-template-hash":"abc"}""")));
        Assert.False(selector.Matches(Labels("""{"app":"web"}""")));
        Assert.Same(LabelSelector.Everything, LabelSelector.FromLabels(null));
    }
}
