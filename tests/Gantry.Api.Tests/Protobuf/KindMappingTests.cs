using System.Reflection;
using System.Text.RegularExpressions;
using Gantry.Api.Protobuf;
using k8s.Models;
using Xunit;
using static Gantry.Api.Tests.Protobuf.ProtoWriter;

namespace Gantry.Api.Tests.Protobuf;

/// <summary>
/// Every stable built-in kind the KubernetesClient models know is decodable under its apiVersion, which checks
/// the package-to-group mapping against an independent list.
/// </summary>
public sealed partial class KindMappingTests
{
    // Groups served by other API servers (aggregation, CRDs) have no generated.proto in kubectl.
    private static readonly HashSet<string> GroupsWithoutProtobuf = ["apiextensions.k8s.io", "apiregistration.k8s.io"];

    // The models are newer than kubectl 1.32 (whose descriptors the table holds): these became stable later.
    private static readonly HashSet<string> GroupsNewerThanKubectl = ["resource.k8s.io", "storagemigration.k8s.io"];
    private static readonly HashSet<string> KindsNewerThanKubectl =
    [
        "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "ClusterTrustBundle", "PodCertificateRequest",
        "IPAddress", "ServiceCIDR", "VolumeAttributesClass",
    ];

    [GeneratedRegex("^v[0-9]+$")]
    private static partial Regex StableVersion();

    public static TheoryData<string, string> StableKinds()
    {
        var data = new TheoryData<string, string>();
        var kinds = typeof(V1Pod).Assembly.GetTypes()
            .Select(t => t.GetCustomAttribute<KubernetesEntityAttribute>())
            .OfType<KubernetesEntityAttribute>()
            .Where(e => StableVersion().IsMatch(e.ApiVersion) && !GroupsWithoutProtobuf.Contains(e.Group)
                        && !GroupsNewerThanKubectl.Contains(e.Group) && !KindsNewerThanKubectl.Contains(e.Kind.Replace("List", "")))
            .Select(e => (ApiVersion: e.Group.Length == 0 ? e.ApiVersion : $"{e.Group}/{e.ApiVersion}", e.Kind))
            .Distinct()
            .OrderBy(k => k.ApiVersion, StringComparer.Ordinal).ThenBy(k => k.Kind, StringComparer.Ordinal);
        foreach (var (apiVersion, kind) in kinds) data.Add(apiVersion, kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(StableKinds))]
    public void Decode_StableKind_IsKnown(string apiVersion, string kind)
    {
        var decoded = KubernetesProtobuf.Decode(Body(apiVersion, kind, new ProtoWriter()));

        Assert.Equal(apiVersion, decoded["apiVersion"]!.GetValue<string>());
        Assert.Equal(kind, decoded["kind"]!.GetValue<string>());
    }
}
