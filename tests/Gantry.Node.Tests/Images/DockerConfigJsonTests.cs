using System.Text;
using Gantry.Node.Images;

namespace Gantry.Node.Tests.Images;

public sealed class DockerConfigJsonTests
{
    [Fact]
    public void Parse_ReadsUsernamePasswordAndAuthEntries()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:pa:ss"));
        var data = new Dictionary<string, byte[]>
        {
            [DockerConfigJson.DataKey] = Encoding.UTF8.GetBytes(
                "{\"auths\":{\"registry.local:5000\":{\"username\":\"alice\",\"password\":\"one\"},\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}"),
        };

        var credentials = DockerConfigJson.Parse(data);

        Assert.Equal([new RegistryCredential("registry.local:5000", "alice", "one"), new RegistryCredential("https://index.docker.io/v1/", "bob", "pa:ss")], credentials);
    }

    [Fact]
    public void Parse_ReadsTheLegacyDockercfgShape()
    {
        var data = new Dictionary<string, byte[]> { [DockerConfigJson.LegacyDataKey] = """{"quay.io":{"username":"q","password":"w"}}"""u8.ToArray() };

        Assert.Equal([new RegistryCredential("quay.io", "q", "w")], DockerConfigJson.Parse(data));
    }

    [Fact]
    public void Parse_MalformedSecret_GivesNoCredentials() =>
        Assert.Empty(DockerConfigJson.Parse(new Dictionary<string, byte[]> { [DockerConfigJson.DataKey] = "{not json"u8.ToArray() }));
}
