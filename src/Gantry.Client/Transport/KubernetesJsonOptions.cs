using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace Gantry.Client.Transport;

/// <summary>The System.Text.Json options of the KubernetesClient package, so field names and omit-empty match Kubernetes.</summary>
internal static class KubernetesJsonOptions
{
    /// <summary>The package's shared options instance (captured once; reusing it keeps its metadata cache warm).</summary>
    public static JsonSerializerOptions Options { get; } = Capture();

    /// <summary>
    /// The serializer metadata of <typeparamref name="T"/> under <see cref="Options"/>. Calls that pass it instead of the
    /// options take the resolver configured here rather than the serializer's own reflection fallback, which a NativeAOT
    /// build cannot vouch for.
    /// </summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => Metadata<T>.Value;

    /// <summary>The serializer metadata of a type known only at run time (the object's own type).</summary>
    public static JsonTypeInfo TypeInfo(Type type) => Options.GetTypeInfo(type);

    // The reflection resolver reads the models' properties: KubernetesClient's model namespace and Gantry's assemblies are
    // trimming roots of the NativeAOT build (Gantry.Cli.csproj), so their members are all there; its converters for them
    // are reference types, which need no code generated at run time.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The models this resolver reflects over are trimming roots.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Model types are classes: their converters need no run-time code.")]
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

    private static class Metadata<T>
    {
        public static readonly JsonTypeInfo<T> Value = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
    }
}
