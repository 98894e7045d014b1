using System.Text.Json;
using k8s;

namespace Gantry.Client.Transport;

/// <summary>The System.Text.Json options of the KubernetesClient package, so field names and omit-empty match Kubernetes.</summary>
internal static class KubernetesJsonOptions
{
    /// <summary>The package's shared options instance (captured once; reusing it keeps its metadata cache warm).</summary>
    public static JsonSerializerOptions Options { get; } = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        return captured ?? throw new InvalidOperationException("KubernetesJson did not expose its serializer options");
    }
}
