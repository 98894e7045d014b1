using Gantry.Controllers.Deployment;
using k8s.Models;

namespace Gantry.Controllers.Tests.Deployment;

public sealed class PodTemplateHashTests
{
    private static V1PodTemplateSpec Template(string image) => DeploymentFixture.NewDeployment("x", 1, image).Spec.Template;

    [Fact]
    public void Compute_IsStableAndUsesTheSafeAlphabet()
    {
        var hash = PodTemplateHash.Compute(Template("nginx:1.0"), null);

        Assert.Equal(hash, PodTemplateHash.Compute(Template("nginx:1.0"), null));
        Assert.All(hash, c => Assert.Contains(c, "bcdfghjklmnpqrstvwxz2456789"));
        Assert.InRange(hash.Length, 1, 10);
    }

    [Fact]
    public void Compute_ChangesWithTheTemplateAndTheCollisionCount()
    {
        var hash = PodTemplateHash.Compute(Template("nginx:1.0"), null);

        Assert.NotEqual(hash, PodTemplateHash.Compute(Template("nginx:2.0"), null));
        Assert.NotEqual(hash, PodTemplateHash.Compute(Template("nginx:1.0"), 1));
        Assert.NotEqual(PodTemplateHash.Compute(Template("nginx:1.0"), 1), PodTemplateHash.Compute(Template("nginx:1.0"), 2));
    }

    [Fact]
    public void Compute_TreatsEmptyFieldsAsAbsent()
    {
        // kubectl rollout undo sends "resources": {} back; Kubernetes' semantic equality treats it as unset.
        var withEmpty = Template("nginx:1.0");
        withEmpty.Spec.Containers[0].Resources = new V1ResourceRequirements();
        withEmpty.Spec.SecurityContext = new V1PodSecurityContext();

        Assert.Equal(PodTemplateHash.Compute(Template("nginx:1.0"), null), PodTemplateHash.Compute(withEmpty, null));
    }

    [Fact]
    public void SafeEncode_MapsDigitsAsKubernetesDoes()
    {
        // rand.SafeEncodeString maps each rune through alphanums[rune % 27]: '0' (48) -> index 21 -> '4'.
        Assert.Equal("4567", PodTemplateHash.SafeEncode("0123"));
    }
}
