using System.Globalization;
using System.Text;
using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>downwardAPI: pod metadata (fieldRef) and container resources (resourceFieldRef) as files, on a tmpfs, updated atomically.</summary>
internal sealed class DownwardApiVolume : IVolumePlugin
{
    /// <inheritdoc />
    public bool Handles(V1Volume volume) => volume.DownwardAPI is not null;

    /// <inheritdoc />
    public async Task<string> SetUpAsync(VolumeContext context, V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        var payload = await PayloadAsync(context, pod, volume.DownwardAPI.Items, volume.DownwardAPI.DefaultMode, cancellationToken).ConfigureAwait(false);
        return context.WritePayload(pod, "downward-api", volume.Name, payload, memory: true);
    }

    /// <summary>The files of downward API items (also a projected source); every failing item is reported.</summary>
    public static async Task<Dictionary<string, FileProjection>> PayloadAsync(VolumeContext context, V1Pod pod, IList<V1DownwardAPIVolumeFile>? items,
        int? defaultMode, CancellationToken cancellationToken)
    {
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        var errors = new List<string>();
        IDictionary<string, ResourceQuantity>? allocatable = null;
        foreach (var item in items ?? [])
        {
            var mode = KeyToPathPayload.Mode(item.Mode ?? defaultMode);
            string value;
            try
            {
                if (item.FieldRef is not null)
                {
                    value = FieldValue(pod, item.FieldRef.FieldPath);
                }
                else if (item.ResourceFieldRef is not null)
                {
                    allocatable ??= await NodeAllocatableAsync(context, pod, cancellationToken).ConfigureAwait(false);
                    value = ResourceValue(pod, item.ResourceFieldRef, allocatable);
                }
                else
                {
                    continue;
                }
            }
            catch (VolumeSourceException ex)
            {
                errors.Add(ex.Message);
                continue;
            }
            payload[Path.TrimEndingDirectorySeparator(item.Path)] = new FileProjection(Encoding.UTF8.GetBytes(value), mode);
        }
        if (errors.Count > 0) throw new VolumeSourceException(Aggregate(errors));
        return payload;
    }

    /// <summary>Kubernetes' aggregate error text: the one message, or all of them in brackets.</summary>
    public static string Aggregate(IReadOnlyList<string> errors) => errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";

    /// <summary>The fieldRef paths a downward API volume may use (the kubelet's fieldpath.ExtractFieldPathAsString).</summary>
    private static string FieldValue(V1Pod pod, string fieldPath)
    {
        var meta = pod.Metadata;
        var open = fieldPath.IndexOf('[', StringComparison.Ordinal);
        if (open > 0 && fieldPath.EndsWith("']", StringComparison.Ordinal) && fieldPath[open + 1] == '\'')
        {
            var path = fieldPath[..open];
            var key = fieldPath[(open + 2)..^2];
            return path switch
            {
                "metadata.annotations" => meta.Annotations?.TryGetValue(key, out var a) == true ? a : "",
                "metadata.labels" => meta.Labels?.TryGetValue(key, out var l) == true ? l : "",
                _ => throw new VolumeSourceException($"fieldPath \"{fieldPath}\" does not support subscript"),
            };
        }
        return fieldPath switch
        {
            "metadata.annotations" => FormatMap(meta.Annotations),
            "metadata.labels" => FormatMap(meta.Labels),
            "metadata.name" => meta.Name ?? "",
            "metadata.namespace" => meta.NamespaceProperty ?? "",
            "metadata.uid" => meta.Uid ?? "",
            _ => throw new VolumeSourceException($"unsupported fieldPath: {fieldPath}"),
        };
    }

    /// <summary>One <c>key="value"</c> line per entry, sorted by key, values quoted as Go's %q does.</summary>
    private static string FormatMap(IDictionary<string, string>? map) =>
        string.Join('\n', (map ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={GoQuote(p.Value)}"));

    private static string GoQuote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\a' => "\\a",
                '\b' => "\\b",
                '\f' => "\\f",
                '\v' => "\\v",
                _ when c < 0x20 || c == 0x7F => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    /// <summary>A container's request or limit in units of the divisor, rounded up; an unset limit is the node's allocatable.</summary>
    private static string ResourceValue(V1Pod pod, V1ResourceFieldSelector selector, IDictionary<string, ResourceQuantity> allocatable)
    {
        var container = (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == selector.ContainerName)
            ?? throw new VolumeSourceException($"failed to find container with name {selector.ContainerName} in pod {pod.Metadata.Name}");
        var parts = selector.Resource.Split('.', 2);
        if (parts.Length != 2 || parts[0] is not ("limits" or "requests"))
            throw new VolumeSourceException($"unsupported container resource : {selector.Resource}");
        var (kind, name) = (parts[0], parts[1]);
        var values = kind == "limits" ? container.Resources?.Limits : container.Resources?.Requests;
        decimal amount;
        if (values?.TryGetValue(name, out var quantity) == true) amount = quantity.ToDecimal();
        else if (kind == "limits" && name is "cpu" or "memory" or "ephemeral-storage" && allocatable.TryGetValue(name, out var node)) amount = node.ToDecimal();
        else if (name is "cpu" or "memory" or "ephemeral-storage" || name.StartsWith("hugepages-", StringComparison.Ordinal)) amount = 0;
        else throw new VolumeSourceException($"unsupported container resource : {selector.Resource}");
        var divisor = selector.Divisor?.ToDecimal() is { } d && d != 0 ? d : 1m;
        // CPU compares in millicores (Kubernetes' MilliValue rounds up), the rest in whole units.
        var result = name == "cpu" ? Math.Ceiling(Math.Ceiling(amount * 1000) / Math.Ceiling(divisor * 1000)) : Math.Ceiling(Math.Ceiling(amount) / Math.Ceiling(divisor));
        return ((long)result).ToString(CultureInfo.InvariantCulture);
    }

    private static async Task<IDictionary<string, ResourceQuantity>> NodeAllocatableAsync(VolumeContext context, V1Pod pod, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(pod.Spec.NodeName)) return new Dictionary<string, ResourceQuantity>();
        var node = await context.Client.For<V1Node>().GetAsync(null, pod.Spec.NodeName, cancellationToken).ConfigureAwait(false);
        return node?.Status?.Allocatable ?? new Dictionary<string, ResourceQuantity>();
    }
}
