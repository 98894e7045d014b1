using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
        KubernetesJson.AddJsonOptions(o =>
        {
            // The package asks its source-generated context first, whose type lookup compares against every one of its
            // ~1,200 model and collection types: the first lookup loads them all. Ours covers the kinds Gantry's components
            // use; reflection, which reads the same [JsonPropertyName] attributes and the options' converters, the rest.
            // Options become read-only at their first use: anyone who serialized before us (nothing in Gantry does: every
            // component builds its client first) keeps the package's resolver.
            if (!o.IsReadOnly) o.TypeInfoResolver = JsonTypeInfoResolver.Combine(ModelJsonContext.Default, new DefaultJsonTypeInfoResolver());
            captured = o;
        });
        return captured ?? throw new InvalidOperationException("KubernetesJson did not expose its serializer options");
    }
}
