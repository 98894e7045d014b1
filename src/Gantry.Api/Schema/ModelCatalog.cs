using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.RegularExpressions;
using Gantry.Api.Registry;
using k8s.Models;

namespace Gantry.Api.Schema;

/// <summary>
/// Maps Kubernetes kinds to the KubernetesClient model types and model types to Kubernetes' OpenAPI definition names
/// (<c>V1PodSpec</c> -> <c>io.k8s.api.core.v1.PodSpec</c>). The definition names are built once, for the OpenAPI documents,
/// by reflecting over every model type of the package; finding a kind's type and the checks of written objects need no such walk.
/// </summary>
internal static partial class ModelCatalog
{
    /// <summary>Definition names of the types that are not generated model classes.</summary>
    public const string QuantityDefinition = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrStringDefinition = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string TimeDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTimeDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
    public const string RawExtensionDefinition = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    public const string FieldsV1Definition = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";
    public const string PatchDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

    // Types of k8s.io/apimachinery/pkg/apis/meta/v1: the package assembly tags some of them as core kinds
    // (Status, DeleteOptions), and the rest are reached first from core kinds, so neither source tells.
    private static readonly HashSet<string> MetaTypes =
    [
        "ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference", "ManagedFieldsEntry",
        "Status", "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions", "Condition", "APIResource",
        "APIResourceList", "APIGroup", "APIGroupList", "APIVersions", "GroupVersionForDiscovery",
        "ServerAddressByClientCIDR", "WatchEvent", "Patch", "FieldSelectorRequirement",
    ];

    private static readonly Lazy<Catalog> Instance = new(Build);

    /// <summary>The model type of a kind, or null when the package has none.</summary>
    public static Type? TypeOf(string group, string version, string kind) => ModelTypes.Of(group, version, kind);

    /// <summary>The Kubernetes definition name of a model type, e.g. io.k8s.api.apps.v1.Deployment.</summary>
    public static string DefinitionName(Type modelType) => Instance.Value.Names[modelType];

    /// <summary>The group/version/kind a model type is registered as, or null for types that are not kinds.</summary>
    public static (string Group, string Version, string Kind)? KindOf(Type modelType) =>
        modelType.GetCustomAttribute<KubernetesEntityAttribute>() is { } e ? (e.Group ?? "", e.ApiVersion, e.Kind) : null;

    /// <summary>The Go type name without package (PodSpec for V1PodSpec, Event for Eventsv1Event).</summary>
    public static string GoName(Type modelType) => Split(modelType.Name).Name;

    /// <summary>
    /// The Go package a model type's name carries (core for Corev1Event), or null for the names without one: the generator
    /// prefixes a name only when two packages define the same version and type name.
    /// </summary>
    public static string? NamedPackage(Type modelType) => Split(modelType.Name).Prefix is { Length: > 0 } prefix ? prefix.ToLowerInvariant() : null;

    /// <summary>The Go package name Kubernetes prints in type errors (the version: v1, v1beta1).</summary>
    public static string GoPackage(Type modelType) => Split(modelType.Name).Version;

    /// <summary>Unwraps Nullable, IList and IDictionary to the model type inside, or null for primitives.</summary>
    public static Type? ModelTypeInside(Type type)
    {
        while (true)
        {
            if (Nullable.GetUnderlyingType(type) is { } inner) { type = inner; continue; }
            if (type.IsGenericType)
            {
                var def = type.GetGenericTypeDefinition();
                if (def == typeof(IList<>)) { type = type.GetGenericArguments()[0]; continue; }
                if (def == typeof(IDictionary<,>)) { type = type.GetGenericArguments()[1]; continue; }
            }
            return IsModel(type) ? type : null;
        }
    }

    /// <summary>Whether a type is a generated model class (not IntOrString/ResourceQuantity, which are leaves).</summary>
    public static bool IsModel(Type type) =>
        type.Namespace == "k8s.Models" && type.IsClass && type != typeof(IntOrString) && type != typeof(ResourceQuantity)
        && VersionedName().IsMatch(type.Name);

    private sealed record Catalog(Dictionary<Type, string> Names);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "KubernetesClient's k8s.Models namespace is a trimming root of the NativeAOT build (Gantry.Cli.csproj).")]
    private static Catalog Build()
    {
        var models = typeof(V1Pod).Assembly.GetExportedTypes().Where(IsModel).ToList();
        var packages = new Dictionary<Type, string>();
        foreach (var t in models)
        {
            var (prefix, _, name) = Split(t.Name);
            if (MetaTypes.Contains(name) && prefix.Length == 0) packages[t] = "meta";
            else if (prefix.Length > 0) packages[t] = prefix.ToLowerInvariant();
            if (KindOf(t) is { } k) packages.TryAdd(t, ModelTypes.GoPackage(k.Group));
        }

        // A helper type belongs to the package of the first kind that reaches it, walking core kinds first:
        // core types (PodTemplateSpec, ObjectReference) are shared by other groups, never the reverse. A first pass
        // only assigns types of the kind's own version, so alpha types a stable kind reaches (batch/v1 Job ->
        // scheduling v1alpha3 Workload types) land in the group that serves that version.
        var roots = models.Where(t => KindOf(t) is not null)
            .OrderBy(t => KindOf(t)!.Value.Group.Length == 0 ? 0 : 1)
            .ThenBy(t => KindOf(t)!.Value.Group, StringComparer.Ordinal)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        // A type of another version that no kind of its version reaches (scheduling v1alpha3 WorkloadPodGroup* that only
        // batch/v1 Job refers to) goes to the group of the kind of that version whose name starts its own.
        var kindsByVersion = roots.Select(t => KindOf(t)!.Value).ToLookup(k => k.Version);
        string? Owner(string version, string name) => kindsByVersion[version]
            .Where(k => name.StartsWith(k.Kind, StringComparison.Ordinal)).OrderByDescending(k => k.Kind.Length)
            .Select(k => ModelTypes.GoPackage(k.Group)).FirstOrDefault();
        var children = new Dictionary<Type, Type[]>();
        foreach (var sameVersionOnly in (bool[])[true, false])
            foreach (var root in roots)
                Claim(root, packages, children, sameVersionOnly ? null : Owner);

        var names = new Dictionary<Type, string>();
        foreach (var t in models)
        {
            var (_, version, name) = Split(t.Name);
            names[t] = $"{DefinitionPrefix(packages.GetValueOrDefault(t, "core"))}.{version}.{name}";
        }
        return new Catalog(names);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "KubernetesClient's k8s.Models namespace is a trimming root of the NativeAOT build (Gantry.Cli.csproj).")]
    private static void Claim(Type root, Dictionary<Type, string> packages, Dictionary<Type, Type[]> children,
        Func<string, string, string?>? ownerOf)
    {
        var (group, version, _) = KindOf(root)!.Value;
        var package = ModelTypes.GoPackage(group);
        var seen = new HashSet<Type> { root };
        var stack = new Stack<Type>(seen);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!packages.ContainsKey(t))
            {
                var (_, own, name) = Split(t.Name);
                if (own == version) packages[t] = package;
                else if (ownerOf is not null) packages[t] = ownerOf(own, name) ?? package;
            }
            if (!children.TryGetValue(t, out var inner))
                children[t] = inner = t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Select(p => ModelTypeInside(p.PropertyType)).OfType<Type>().Distinct().ToArray();
            foreach (var child in inner)
                if (seen.Add(child)) stack.Push(child);
        }
    }

    private static string DefinitionPrefix(string package) => package switch
    {
        "meta" => "io.k8s.apimachinery.pkg.apis.meta",
        "apiextensions" => "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
        "apiregistration" => "io.k8s.kube-aggregator.pkg.apis.apiregistration",
        _ => "io.k8s.api." + package,
    };

    /// <summary>Splits V1beta1Foo into ("", "v1beta1", "Foo") and Corev1Event into ("Core", "v1", "Event").</summary>
    private static (string Prefix, string Version, string Name) Split(string typeName)
    {
        var m = VersionedName().Match(typeName);
        return m.Success ? (m.Groups[1].Value, "v" + m.Groups[2].Value, m.Groups[3].Value) : ("", "", typeName);
    }

    [GeneratedRegex("^(?:V|([A-Z][a-z]+)v)([0-9]+(?:alpha[0-9]+|beta[0-9]+)?)([A-Z].*)$")]
    private static partial Regex VersionedName();
}
