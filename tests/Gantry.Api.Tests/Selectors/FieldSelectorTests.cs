using Gantry.Api.Errors;
using Gantry.Api.Selectors;
using Xunit;

namespace Gantry.Api.Tests.Selectors;

public sealed class FieldSelectorTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(",")]
    public void Parse_OfNothing_SelectsEverything(string? text)
    {
        var selector = FieldSelector.Parse(text);
        Assert.True(selector.IsEmpty);
        Assert.True(selector.Matches(_ => null));
    }

    [Theory]
    [InlineData("metadata.name=web", "metadata.name=web")]
    [InlineData("metadata.name==web", "metadata.name=web")]
    [InlineData("status.phase!=Running", "status.phase!=Running")]
    [InlineData("b=2,a=1", "a=1,b=2")]
    [InlineData("a=1,", "a=1")]
    [InlineData(@"a=x\,y\=z\\w", @"a=x\,y\=z\\w")]
    [InlineData("spec.nodeName=", "spec.nodeName=")]
    public void Parse_ReadsTermsIntoCanonicalText(string text, string canonical)
    {
        Assert.Equal(canonical, FieldSelector.Parse(text).ToString());
        Assert.Equal(canonical, FieldSelector.Parse(text).Text);
    }

    [Fact]
    public void Parse_UnescapesValuesAndSortsTerms()
    {
        var selector = FieldSelector.Parse(@"spec.nodeName!=n\,1,metadata.name==web");
        Assert.Equal(
            [new FieldRequirement("metadata.name", FieldOperator.Equals, "web"), new FieldRequirement("spec.nodeName", FieldOperator.NotEquals, "n,1")],
            selector.Requirements);
    }

    [Theory]
    [InlineData("a", "invalid selector: 'a'; can't understand 'a'")]
    [InlineData("x=1,b", "invalid selector: 'x=1,b'; can't understand 'b'")]
    [InlineData(@"a=x\y", @"invalid field selector: invalid escape sequence: \y")]
    [InlineData(@"a=x\", @"invalid field selector: invalid escape sequence: \")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    public void Parse_OfBadText_IsBadRequestWithKubernetesMessage(string text, string message)
    {
        var e = Assert.Throws<ApiException>(() => FieldSelector.Parse(text));
        Assert.Equal(400, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Matches_ReadsMissingFieldsAsEmpty()
    {
        var fields = new Dictionary<string, string> { ["status.phase"] = "Running" };
        string? Field(string name) => fields.GetValueOrDefault(name);
        Assert.True(FieldSelector.Parse("status.phase=Running").Matches(Field));
        Assert.False(FieldSelector.Parse("status.phase!=Running").Matches(Field));
        Assert.True(FieldSelector.Parse("spec.nodeName=").Matches(Field));
        Assert.True(FieldSelector.Parse("spec.nodeName!=node-1").Matches(Field));
        Assert.False(FieldSelector.Parse("status.phase=Running,spec.nodeName=node-1").Matches(Field));
    }
}
