using System.Text.Json.Nodes;
using Gantry.Controllers.History;
using k8s.Models;
using Xunit;

namespace Gantry.Controllers.Tests.History;

public sealed class ControllerRevisionDataTests
{
    [Fact]
    public void Hash_IsFnv1OfTheDataAndCollisionCount_InSafeLetters()
    {
        // FNV-1 32 of "a" is 0x050c5d7e = 84696446; digits map 8->d 4->8 6->b 9->f.
        Assert.Equal("d8bfb88b", ControllerRevisionData.Hash("a", null));
        Assert.Equal(ControllerRevisionData.Hash("a0", null), ControllerRevisionData.Hash("a", 0));
        Assert.Equal("web-abc", ControllerRevisionData.Name("web", "abc"));
    }

    [Fact]
    public void SafeEncode_MapsDigitsLikeKubernetes()
    {
        Assert.Equal("456789bcdf", ControllerRevisionData.SafeEncode("0123456789"));
    }

    [Fact]
    public void FromTemplate_WritesAReplacePatchInGoEncoding()
    {
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx:1.25", Args = [] }] },
        };
        Assert.Equal(
            """{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.25","name":"nginx","resources":{}}]}}}}""",
            ControllerRevisionData.FromTemplate(template));
    }

    [Fact]
    public void Template_ReadsBackTheRecordedTemplate()
    {
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx:1.25" }] },
        };
        var data = ControllerRevisionData.ToData(ControllerRevisionData.FromTemplate(template));
        var read = ControllerRevisionData.Template(data)!;
        Assert.Equal("nginx:1.25", read.Spec.Containers.Single().Image);
        Assert.Equal("web", read.Metadata.Labels["app"]);
        Assert.Equal(ControllerRevisionData.FromTemplate(template), ControllerRevisionData.Canonical(data));
    }

    [Fact]
    public void GoJson_EscapesLikeGo()
    {
        Assert.Equal("""{"a":"\u003cb\u003e \u0026 é","z":[1,2.5,true,null]}""",
            GoJson.Write(JsonNode.Parse("""{"z":[1,2.5,true,null],"a":"<b> & é"}""")));
    }
}
