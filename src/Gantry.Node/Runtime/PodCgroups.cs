using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// Pod cgroups with the cgroupfs driver, as the kubelet's pod and QoS container managers make them, over whichever
/// cgroup version the host runs: <see cref="Detect"/> picks <see cref="CgroupV1"/> or <see cref="CgroupV2"/>. Container
/// cgroups below a pod's are runc's (cgroupsPath); runc maps the spec's linux.resources to either version itself.
/// </summary>
internal abstract class PodCgroups
{
    /// <summary>Where the host mounts its cgroup filesystem(s).</summary>
    public const string MountRoot = "/sys/fs/cgroup";

    /// <summary>The kubelet's MinShares: best-effort pods and the best-effort QoS cgroup get this much cpu.</summary>
    protected const long MinShares = 2;

    private const long Cgroup2SuperMagic = 0x63677270;

    // Pods of one QoS class are created and removed concurrently; each recomputes the class's cpu share from the pod
    // cgroups on disk, and must not overwrite a newer sum with an older one.
    private readonly Lock qosLock = new();

    /// <summary>
    /// The cgroup version of <paramref name="mountRoot"/>: v2 when it is a cgroup2 filesystem (statfs magic, as runc's
    /// IsCgroup2UnifiedMode checks), else v1 when its cpu and memory hierarchies are mounted; throws otherwise.
    /// </summary>
    public static PodCgroups Detect(string mountRoot, TimeProvider time)
    {
        if (NativeMethods.FileSystemType(mountRoot) == Cgroup2SuperMagic)
        {
            var v2 = new CgroupV2(mountRoot, time);
            var missing = v2.MissingControllers();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"the cgroup v2 root {mountRoot} does not offer the {string.Join(", ", missing)} controller(s) pods need");
            }

            return v2;
        }

        if (CgroupV1.IsMounted(mountRoot))
        {
            return new CgroupV1(mountRoot);
        }

        throw new InvalidOperationException(
            $"{mountRoot} is neither a cgroup v2 mount nor holds the cgroup v1 hierarchies cpu and memory");
    }

    /// <summary>Throws unless <paramref name="cgroup"/> lies below <paramref name="root"/> (pod cgroups are removed recursively).</summary>
    public static void EnsureUnder(string root, string cgroup)
    {
        var prefix = root.TrimEnd('/') + "/";
        if (!cgroup.StartsWith(prefix, StringComparison.Ordinal) || cgroup.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"cgroup parent {cgroup} is not under {prefix}", nameof(cgroup));
        }
    }

    /// <summary>
    /// Creates the pod cgroup <paramref name="cgroup"/> (and its parents), applies the pod-level limits and updates the
    /// cpu share of its QoS cgroup (burstable: the sum of its pods', best-effort: the minimum), as the kubelet's
    /// UpdateQOSCgroups does on every pod change.
    /// </summary>
    public void Create(string cgroup, LinuxResources? resources)
    {
        CreatePod(cgroup, resources);
        UpdateQos(cgroup);
    }

    /// <summary>
    /// Removes the pod cgroup <paramref name="cgroup"/> and whatever is left below it, deepest first, then updates its
    /// QoS cgroup's cpu share. Throws when the cgroup is still busy; the removal can be retried.
    /// </summary>
    public async Task RemoveAsync(string cgroup, CancellationToken cancellationToken)
    {
        await RemovePodAsync(cgroup, cancellationToken).ConfigureAwait(false);
        UpdateQos(cgroup);
    }

    /// <summary>Whether the kernel counted an OOM kill in the (container) cgroup <paramref name="cgroup"/>, while it still exists.</summary>
    public abstract bool SawOomKill(string cgroup);

    /// <summary>
    /// Whether swap is accounted for containers of the pod cgroup <paramref name="podCgroup"/>, so that a container's
    /// spec can limit memory+swap to its memory limit (runc refuses the setting otherwise).
    /// </summary>
    public abstract bool AccountsSwap(string podCgroup);

    /// <summary>Creates the pod cgroup and its parents and writes the pod-level limits.</summary>
    protected abstract void CreatePod(string cgroup, LinuxResources? resources);

    /// <summary>Removes the pod cgroup tree.</summary>
    protected abstract Task RemovePodAsync(string cgroup, CancellationToken cancellationToken);

    /// <summary>The cpu share the cgroup <paramref name="cgroup"/> has, in cgroup v1 shares.</summary>
    protected abstract long ReadShares(string cgroup);

    /// <summary>Gives the cgroup <paramref name="cgroup"/> a cpu share of <paramref name="shares"/> (v1 shares).</summary>
    protected abstract void WriteShares(string cgroup, long shares);

    /// <summary>Whether the cgroup <paramref name="cgroup"/> exists (in the cpu hierarchy on v1).</summary>
    protected abstract bool Exists(string cgroup);

    /// <summary>The names of the child cgroups of the existing cgroup <paramref name="cgroup"/>.</summary>
    protected abstract IEnumerable<string> Children(string cgroup);

    /// <summary>The integer value of <paramref name="key"/> in a flat-keyed cgroup file (memory.events, cgroup.events ...), or null.</summary>
    protected static long? ReadKey(string file, string key)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in File.ReadLines(file))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line.AsSpan(0, space).SequenceEqual(key)
                && long.TryParse(line.AsSpan(space + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Writes <paramref name="value"/> to a control file, invariant culture.</summary>
    protected static void Write(string file, long value) => File.WriteAllText(file, value.ToString(CultureInfo.InvariantCulture));

    private void UpdateQos(string podCgroup)
    {
        var qos = podCgroup.TrimEnd('/');
        qos = qos[..qos.LastIndexOf('/')];
        var qosClass = qos[(qos.LastIndexOf('/') + 1)..];
        if (qosClass is not ("burstable" or "besteffort") || !Exists(qos))
        {
            return;
        }

        lock (qosLock)
        {
            // The kubelet sums the pods' cpu requests; the pods' own shares are those requests converted, at least 2.
            var shares = qosClass == "besteffort"
                ? MinShares
                : Math.Max(MinShares, Children(qos).Where(name => name.StartsWith("pod", StringComparison.Ordinal))
                    .Sum(name => ReadShares(qos + "/" + name)));
            WriteShares(qos, shares);
        }
    }
}
