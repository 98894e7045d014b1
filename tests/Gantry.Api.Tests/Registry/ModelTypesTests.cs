using System.Reflection;
using Gantry.Api.Registry;
using k8s.Models;

namespace Gantry.Api.Tests.Registry;

public sealed class ModelTypesTests
{
    [Fact]
    public void Of_FindsTheModelTypeOfEveryKindThePackageDefines()
    {
        var kinds = typeof(V1Pod).Assembly.GetExportedTypes()
            .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
            .Where(k => k.Entity is not null)
            .ToList();

        Assert.True(kinds.Count > 150, $"only {kinds.Count} kinds in the package");
        foreach (var (type, entity) in kinds)
            Assert.Equal(type, ModelTypes.Of(entity!.Group ?? "", entity.ApiVersion, entity.Kind));
    }

    [Theory]
    [InlineData("", "v1", "Event", typeof(Corev1Event))]
    [InlineData("events.k8s.io", "v1", "Event", typeof(Eventsv1Event))]
    [InlineData("authentication.k8s.io", "v1", "TokenRequest", typeof(Authenticationv1TokenRequest))]
    [InlineData("apps", "v1", "Deployment", typeof(V1Deployment))]
    [InlineData("", "v1", "PodList", typeof(V1PodList))]
    public void Of_KindsWhoseNamesCollide_AreToldApartByTheirGroup(string group, string version, string kind, Type expected) =>
        Assert.Equal(expected, ModelTypes.Of(group, version, kind));

    [Theory]
    [InlineData("", "v1", "Widget")]
    [InlineData("apps", "v1", "Pod")]
    [InlineData("example.com", "v1", "Event")]
    public void Of_KindThePackageDoesNotDefine_ReturnsNull(string group, string version, string kind) =>
        Assert.Null(ModelTypes.Of(group, version, kind));
}
