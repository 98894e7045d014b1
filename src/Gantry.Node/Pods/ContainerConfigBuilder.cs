using System.Globalization;
using Gantry.Node.Images;
using Gantry.Node.Runtime;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// Turns one container of a pod spec into the runtime's <see cref="ContainerConfig"/>, as kuberuntime's
/// generateContainerConfig does: environment, expanded command and args merged with the image, mounts (volumes with
/// subPath, the termination-log file, /etc/hosts), merged security context, cgroup resources, log path and labels.
/// </summary>
internal sealed class ContainerConfigBuilder(EnvironmentBuilder environment, NodePaths paths)
{
    public const string InitType = "init";
    public const string RegularType = "regular";

    /// <summary>The config of attempt <paramref name="attempt"/> of <paramref name="container"/>; throws <see cref="ContainerConfigException"/>.</summary>
    public async Task<ContainerConfig> BuildAsync(V1Pod pod, V1Container container, bool isInit, int attempt, ImageInfo image,
        IReadOnlyDictionary<string, string> volumes, string? hostsFile, PodContext context, CancellationToken cancellationToken)
    {
        var security = Security(pod, container, image);
        var podEnv = await environment.BuildAsync(pod, container, context, cancellationToken).ConfigureAwait(false);
        string? Lookup(string name) => podEnv.FindLast(e => e.Key == name) is { Key: not null } e ? e.Value : null;
        var command = (container.Command ?? []).Select(c => Expansion.Expand(c, Lookup)).ToList();
        var args = (container.Args ?? []).Select(a => Expansion.Expand(a, Lookup)).ToList();
        List<string> process = command.Count > 0 ? [.. command, .. args]
            : args.Count > 0 ? [.. image.Config.Entrypoint, .. args]
            : [.. image.Config.Entrypoint, .. image.Config.Cmd];
        if (process.Count == 0) throw new ContainerConfigException("no command specified", "CreateContainerError");

        var podNames = podEnv.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var env = image.Config.Env.Where(e => !podNames.Contains(e.Split('=', 2)[0])).Concat(podEnv.Select(e => $"{e.Key}={e.Value}")).ToList();

        var mounts = VolumeMounts(container, volumes, Lookup);
        var messagePath = TerminationMessageFile(pod, container);
        if (!string.IsNullOrEmpty(container.TerminationMessagePath))
            mounts.Add(new Mount(messagePath, container.TerminationMessagePath));
        if (hostsFile is not null && !(container.VolumeMounts ?? []).Any(m => m.MountPath == "/etc/hosts")) mounts.Add(new Mount(hostsFile, "/etc/hosts"));

        var logDir = Path.Combine(paths.PodLogsDir, $"{pod.Metadata.NamespaceProperty}_{pod.Metadata.Name}_{pod.Metadata.Uid}", container.Name);
        Directory.CreateDirectory(logDir);
        return new ContainerConfig
        {
            Name = container.Name,
            Attempt = attempt,
            Image = image,
            Args = process,
            Env = env,
            WorkingDir = string.IsNullOrEmpty(container.WorkingDir) ? image.Config.WorkingDir : container.WorkingDir,
            Mounts = mounts,
            Resources = PodResources.ForContainer(pod, container, context.MemoryCapacity),
            Security = security,
            Tty = container.Tty == true,
            Stdin = container.Stdin == true,
            StdinOnce = container.StdinOnce == true,
            LogPath = Path.Combine(logDir, attempt.ToString(CultureInfo.InvariantCulture) + ".log"),
            StopSignal = image.Config.StopSignal,
            Labels = new Dictionary<string, string>(RuntimeLabels.ForSandbox(pod)) { [RuntimeLabels.ContainerName] = container.Name },
            Annotations = new Dictionary<string, string>
            {
                [RuntimeLabels.ContainerHash] = RuntimeLabels.Hash(container),
                [RuntimeLabels.RestartCount] = attempt.ToString(CultureInfo.InvariantCulture),
                [RuntimeLabels.TerminationMessagePath] = string.IsNullOrEmpty(container.TerminationMessagePath) ? "" : messagePath,
                [RuntimeLabels.TerminationMessagePolicy] = container.TerminationMessagePolicy ?? "File",
                [RuntimeLabels.ContainerType] = isInit ? InitType : RegularType,
            },
        };
    }

    private static List<Mount> VolumeMounts(V1Container container, IReadOnlyDictionary<string, string> volumes, Func<string, string?> lookup)
    {
        var mounts = new List<Mount>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(mount.Name, out var hostPath))
                throw new ContainerConfigException($"cannot find volume \"{mount.Name}\" to mount into container \"{container.Name}\"");
            var subPath = !string.IsNullOrEmpty(mount.SubPathExpr) ? Expansion.Expand(mount.SubPathExpr, lookup) : mount.SubPath;
            if (!string.IsNullOrEmpty(subPath))
            {
                if (Path.IsPathRooted(subPath) || subPath.Split('/').Contains(".."))
                    throw new ContainerConfigException($"subPath \"{subPath}\" must be a relative path without '..'");
                hostPath = Path.Combine(hostPath, subPath);
                // The kubelet creates a missing subPath as a directory.
                if (!File.Exists(hostPath)) Directory.CreateDirectory(hostPath);
            }
            var propagation = mount.MountPropagation switch
            {
                "HostToContainer" => "HostToContainer",
                "Bidirectional" => "Bidirectional",
                _ => "None",
            };
            mounts.Add(new Mount(hostPath, mount.MountPath, mount.ReadOnlyProperty == true, propagation));
        }
        return mounts;
    }

    // One fresh file per container instance, so a restarted container never reports its predecessor's message.
    private string TerminationMessageFile(V1Pod pod, V1Container container)
    {
        var dir = Path.Combine(paths.PodsDir, pod.Metadata.Uid, "containers", container.Name);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllBytes(file, []);
        return file;
    }

    private static SecurityOptions Security(V1Pod pod, V1Container container, ImageInfo image)
    {
        var podContext = pod.Spec.SecurityContext;
        var context = container.SecurityContext;
        var runAsUser = context?.RunAsUser ?? podContext?.RunAsUser;
        var runAsNonRoot = context?.RunAsNonRoot ?? podContext?.RunAsNonRoot;
        if (runAsNonRoot == true) VerifyRunAsNonRoot(pod, container, runAsUser, image.Config.User);
        var groups = (podContext?.SupplementalGroups ?? []).OfType<long>().ToList();
        if (podContext?.FsGroup is { } fsGroup && !groups.Contains(fsGroup)) groups.Insert(0, fsGroup);
        var seccomp = context?.SeccompProfile ?? podContext?.SeccompProfile;
        return new SecurityOptions
        {
            RunAsUser = runAsUser,
            RunAsGroup = context?.RunAsGroup ?? podContext?.RunAsGroup,
            ImageUser = runAsUser is null && !string.IsNullOrEmpty(image.Config.User) ? image.Config.User : null,
            SupplementalGroups = groups,
            AddCapabilities = [.. context?.Capabilities?.Add ?? []],
            DropCapabilities = [.. context?.Capabilities?.Drop ?? []],
            Privileged = context?.Privileged == true,
            ReadOnlyRootFilesystem = context?.ReadOnlyRootFilesystem == true,
            AllowPrivilegeEscalation = context?.AllowPrivilegeEscalation ?? true,
            SeccompRuntimeDefault = seccomp?.Type == "RuntimeDefault",
            UnmaskedProc = context?.ProcMount == "Unmasked",
        };
    }

    // verifyRunAsNonRoot, with the kubelet's messages.
    private static void VerifyRunAsNonRoot(V1Pod pod, V1Container container, long? runAsUser, string? imageUser)
    {
        var who = $"(pod: \"{PodNames.Format(pod)}\", container: {container.Name})";
        if (runAsUser == 0) throw new ContainerConfigException($"container's runAsUser breaks non-root policy {who}");
        if (runAsUser is not null) return;
        var user = string.IsNullOrEmpty(imageUser) ? "0" : imageUser.Split(':')[0];
        if (!long.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            throw new ContainerConfigException($"container has runAsNonRoot and image has non-numeric user ({user}), cannot verify user is non-root {who}");
        if (uid == 0) throw new ContainerConfigException($"container has runAsNonRoot and image will run as root {who}");
    }
}
