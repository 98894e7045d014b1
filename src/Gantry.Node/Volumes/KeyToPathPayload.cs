using k8s.Models;

namespace Gantry.Node.Volumes;

/// <summary>How configMap and secret data become files: all keys, or only the listed items (key -> path, mode).</summary>
internal static class KeyToPathPayload
{
    /// <summary>The kubelet's default file mode of configMap, secret, downwardAPI and projected volumes (0644).</summary>
    public const int DefaultMode = 420;

    /// <summary>
    /// Files of <paramref name="data"/>; a listed key that is missing fails with <paramref name="missingKey"/>'s message
    /// unless the source is optional.
    /// </summary>
    public static Dictionary<string, FileProjection> Make(IReadOnlyDictionary<string, byte[]> data, IList<V1KeyToPath>? items, int? defaultMode,
        bool optional, Func<string, string> missingKey)
    {
        var mode = Mode(defaultMode);
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        if (items is not { Count: > 0 })
        {
            foreach (var (key, value) in data) payload[key] = new FileProjection(value, mode);
            return payload;
        }
        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var value))
            {
                if (optional) continue;
                throw new VolumeSourceException(missingKey(item.Key));
            }
            payload[item.Path] = new FileProjection(value, item.Mode is { } itemMode ? Mode(itemMode) : mode);
        }
        return payload;
    }

    /// <summary>A pod spec mode (decimal int of the octal bits) as file mode bits; absent means 0644.</summary>
    public static UnixFileMode Mode(int? mode) => (UnixFileMode)((mode ?? DefaultMode) & 0x1FF);
}
