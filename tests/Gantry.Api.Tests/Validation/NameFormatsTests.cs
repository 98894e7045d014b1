using Gantry.Api.Validation;

namespace Gantry.Api.Tests.Validation;

public sealed class NameFormatsTests
{
    private const string NamePart =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    [Theory]
    [InlineData("app")]
    [InlineData("example.com/App_1")]
    [InlineData("a.b-c_d")]
    public void QualifiedName_AcceptsLabelKeys(string key) => Assert.Empty(NameFormats.QualifiedName(key));

    [Fact]
    public void QualifiedName_ReportsKubernetesMessages()
    {
        Assert.Equal([NamePart], NameFormats.QualifiedName("-bad"));
        Assert.Equal(["prefix part must be non-empty"], NameFormats.QualifiedName("/x"));
        Assert.Equal(["name part must be no more than 63 characters"], NameFormats.QualifiedName(new string('a', 64)));
        Assert.Equal(["name part must be non-empty", NamePart], NameFormats.QualifiedName("example.com/"));
        Assert.StartsWith("prefix part a lowercase RFC 1123 subdomain", NameFormats.QualifiedName("Example.com/x").Single());
        Assert.Equal(["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
            NameFormats.QualifiedName("a/b/c"));
    }

    [Fact]
    public void LabelValue_AllowsEmptyAndRejectsLongOrOddValues()
    {
        Assert.Empty(NameFormats.LabelValue(""));
        Assert.Equal(["must be no more than 63 characters"], NameFormats.LabelValue(new string('a', 64)));
        Assert.Equal(["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
            NameFormats.LabelValue("a b"));
    }

    [Theory]
    [InlineData("a-1", 0)]
    [InlineData("a.b", 1)]
    [InlineData("web\n", 1)]
    public void Dns1123Label_MatchesTheWholeValue(string value, int errors) => Assert.Equal(errors, NameFormats.Dns1123Label(value).Count);

    [Fact]
    public void Dns1123Subdomain_LimitsLengthTo253()
    {
        Assert.Empty(NameFormats.Dns1123Subdomain("a.b-c.d"));
        Assert.Equal(["must be no more than 253 characters"], NameFormats.Dns1123Subdomain(new string('a', 254)));
    }

    [Fact]
    public void PortName_FollowsIanaServiceNames()
    {
        Assert.Empty(NameFormats.PortName("http-alt"));
        Assert.Equal(["must be no more than 15 characters"], NameFormats.PortName("a-very-long-port-name"));
        Assert.Equal(["must not contain consecutive hyphens (--)"], NameFormats.PortName("a--b"));
        Assert.Equal(["must not begin or end with a hyphen (-)"], NameFormats.PortName("-ab"));
        Assert.Equal(["must contain at least one letter (a-z)"], NameFormats.PortName("80"));
    }

    [Fact]
    public void ConfigMapKey_RejectsDotPrefixes()
    {
        Assert.Empty(NameFormats.ConfigMapKey("app.properties"));
        Assert.Equal(["must not be '..'"], NameFormats.ConfigMapKey(".."));
        Assert.Equal(["must not start with '..'"], NameFormats.ConfigMapKey("..data"));
    }

    [Fact]
    public void EnvVarName_UsesTheRelaxedRuleOfKubernetes132()
    {
        Assert.Empty(NameFormats.EnvVarName("1.weird name"));
        Assert.Single(NameFormats.EnvVarName("A=B"));
    }

    [Fact]
    public void PathSegmentName_RejectsDotsAndSlashes()
    {
        Assert.Equal(["may not be '..'"], NameFormats.PathSegmentName(".."));
        Assert.Equal(["may not contain '/'", "may not contain '%'"], NameFormats.PathSegmentName("a/%"));
    }
}
