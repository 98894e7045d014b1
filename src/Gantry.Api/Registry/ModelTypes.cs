using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Reflection;
using k8s.Models;

namespace Gantry.Api.Registry;

/// <summary>
/// The KubernetesClient model type of a kind, found by name instead of by listing the package's ~1,500 exported types:
/// listing them loads every one (~10 MB of type data that an idle server's components never use).
/// </summary>
public static class ModelTypes
{
    private static readonly Assembly Package = typeof(V1Pod).Assembly;
    private static readonly ConcurrentDictionary<(string Group, string Version, string Kind), Type?> Found = new();

    /// <summary>
    /// The model type of <paramref name="group"/>/<paramref name="version"/>/<paramref name="kind"/> (its
    /// <see cref="KubernetesEntityAttribute"/> says so), or null when the package has none. The package's generator names a
    /// kind's class after its version and kind (<c>V1Pod</c>, <c>V1beta1DeviceClass</c>), prefixed with its group's Go
    /// package only when two groups share the version and kind (<c>Corev1Event</c>, <c>Eventsv1Event</c>).
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "KubernetesClient's k8s.Models namespace is a trimming root of the NativeAOT build (Gantry.Cli.csproj).")]
    public static Type? Of(string group, string version, string kind) =>
        Found.GetOrAdd((group, version, kind), static key =>
        {
            var versioned = char.ToUpperInvariant(key.Version[0]) + key.Version[1..] + key.Kind;
            var package = GoPackage(key.Group);
            string[] candidates = [versioned, char.ToUpperInvariant(package[0]) + package[1..] + key.Version + key.Kind];
            return candidates.Select(name => Package.GetType("k8s.Models." + name)).FirstOrDefault(type =>
                type?.GetCustomAttribute<KubernetesEntityAttribute>() is { } entity
                && (entity.Group ?? "") == key.Group && entity.ApiVersion == key.Version && entity.Kind == key.Kind);
        });

    /// <summary>The Go package name of an API group: the first label, as Kubernetes names its api packages.</summary>
    public static string GoPackage(string group) => group switch
    {
        "" => "core",
        "internal.apiserver.k8s.io" => "apiserverinternal",
        _ => group.Split('.')[0],
    };
}
