using k8s.Models;

namespace Gantry.Client.Tests.Harness;

/// <summary>Small valid objects for tests.</summary>
public static class Objects
{
    /// <summary>A pod with one container.</summary>
    public static V1Pod Pod(string ns, string name, IDictionary<string, string>? labels = null, string? nodeName = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1PodSpec { NodeName = nodeName, Containers = [new V1Container { Name = "c", Image = "busybox" }] },
    };

    /// <summary>A config map with one key.</summary>
    public static V1ConfigMap ConfigMap(string ns, string name, string value = "v") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Data = new Dictionary<string, string> { ["k"] = value },
    };

    /// <summary>A deployment of one busybox container.</summary>
    public static V1Deployment Deployment(string ns, string name, int replicas = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            },
        },
    };
}
