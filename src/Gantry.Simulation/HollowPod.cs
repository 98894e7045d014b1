using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Gantry.Simulation;

/// <summary>
/// The part of a pod a hollow node reads: its metadata, its containers' names and images, and the status fields it
/// reports. Its watch events and status-write answers decode into this instead of a whole <see cref="V1Pod"/>: with
/// thousands of pods per second spread over the hollow nodes of one process, building every pod's spec, volumes and
/// container statuses was most of that process's CPU (bench/RESULTS.md, issue 5), and a real kubelet's cost runs on
/// its own machine. The JSON reader skips the fields not declared here, and most of the metadata.
/// </summary>
internal sealed class HollowPod : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The API group (core), for the client's resource lookup.</summary>
    public const string KubeGroup = "";

    /// <summary>The API version, for the client's resource lookup.</summary>
    public const string KubeApiVersion = "v1";

    /// <summary>The kind, for the client's resource lookup.</summary>
    public const string KubeKind = "Pod";

    /// <inheritdoc />
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "v1";

    /// <inheritdoc />
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    /// <inheritdoc />
    [JsonPropertyName("metadata")]
    [JsonConverter(typeof(HollowPodMetadataConverter))]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The containers to report.</summary>
    [JsonPropertyName("spec")]
    public PodSpec? Spec { get; set; }

    /// <summary>What the pod reports so far.</summary>
    [JsonPropertyName("status")]
    public PodStatus? Status { get; set; }

    /// <summary>The spec fields a hollow node reads.</summary>
    internal sealed class PodSpec
    {
        /// <summary>Init containers (reported as completed).</summary>
        [JsonPropertyName("initContainers")]
        public List<Container>? InitContainers { get; set; }

        /// <summary>Containers (reported as running).</summary>
        [JsonPropertyName("containers")]
        public List<Container>? Containers { get; set; }
    }

    /// <summary>A container's name and image.</summary>
    internal sealed class Container
    {
        /// <summary>The container's name.</summary>
        [JsonPropertyName("name")]
        public string Name { get; set; } = "";

        /// <summary>The container's image.</summary>
        [JsonPropertyName("image")]
        public string? Image { get; set; }
    }

    /// <summary>The status fields a hollow node keeps when it reports again.</summary>
    internal sealed class PodStatus
    {
        /// <summary>The pod's phase.</summary>
        [JsonPropertyName("phase")]
        public string? Phase { get; set; }

        /// <summary>The address reported before, kept.</summary>
        [JsonPropertyName("podIP")]
        public string? PodIP { get; set; }

        /// <summary>When the pod was first reported started.</summary>
        [JsonPropertyName("startTime")]
        public DateTime? StartTime { get; set; }

        /// <summary>The pod's conditions (their transition times are kept).</summary>
        [JsonPropertyName("conditions")]
        public List<V1PodCondition>? Conditions { get; set; }
    }
}
