using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Gantry.Client;

/// <summary>The KubeGroup, KubeApiVersion and KubeKind constants every KubernetesClient model (and Gantry's own) declares.</summary>
internal static class ModelConstants
{
    /// <summary>The value of the public string constant <paramref name="name"/> of <paramref name="type"/>, or null.</summary>
    // Constants are inlined where code uses them, so a trimmer drops them unless their type's assembly or namespace is a
    // trimming root: the KubernetesClient models and every Gantry assembly are (Gantry.Cli.csproj, NativeAOT build).
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Model types' assemblies are trimming roots.")]
    public static string? Read(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
}
