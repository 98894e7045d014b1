using System.Text.Json.Nodes;

namespace Gantry.Node.Runtime;

/// <summary>
/// Turns a <see cref="ContainerConfig"/> into an OCI runtime spec (config.json) the way containerd's CRI plugin does:
/// default capabilities, mounts, masked paths and device rules, the sandbox's namespaces joined by path, a new pid and
/// mount namespace, the cgroup below the pod's, and the pod's /etc files and /dev/shm.
/// </summary>
internal static class OciSpecBuilder
{
    /// <summary>Everything the spec is built from; <paramref name="AccountsSwap"/> whether the pod cgroup accounts swap.</summary>
    public sealed record Input(
        ContainerConfig Config,
        SandboxRecord Sandbox,
        UserResolver.Identity User,
        IReadOnlyList<HostDevices.Device> Devices,
        string CgroupsPath,
        bool AccountsSwap);

    /// <summary>Builds config.json's content.</summary>
    public static JsonObject Build(Input input)
    {
        var config = input.Config;
        var security = config.Security;
        var privileged = security.Privileged;
        var capabilities = Capabilities(security);
        var user = new JsonObject
        {
            ["uid"] = input.User.Uid,
            ["gid"] = input.User.Gid,
            ["additionalGids"] = Array(input.User.AdditionalGids.Select(gid => (JsonNode)JsonValue.Create(gid))),
        };

        var process = new JsonObject
        {
            ["terminal"] = config.Tty,
            ["user"] = user,
            ["args"] = Strings(config.Args),
            ["env"] = Strings(Environment(config, input.Sandbox.Config.Hostname)),
            ["cwd"] = string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir,
            ["capabilities"] = new JsonObject
            {
                ["bounding"] = Strings(capabilities),
                ["effective"] = Strings(capabilities),
                ["permitted"] = Strings(capabilities),
                ["inheritable"] = new JsonArray(),
                ["ambient"] = new JsonArray(),
            },
            ["noNewPrivileges"] = !privileged && !security.AllowPrivilegeEscalation,
            ["oomScoreAdj"] = config.Resources.OomScoreAdj,
        };

        var linux = new JsonObject
        {
            ["cgroupsPath"] = input.CgroupsPath,
            ["resources"] = Resources(config.Resources, privileged, input.Devices, input.AccountsSwap),
            ["namespaces"] = Namespaces(input.Sandbox),
            ["devices"] = Array(input.Devices.Select(device => (JsonNode)new JsonObject
            {
                ["path"] = device.Path,
                ["type"] = device.Type,
                ["major"] = device.Major,
                ["minor"] = device.Minor,
                ["fileMode"] = 438, // 0666, as containerd gives added devices
                ["uid"] = 0,
                ["gid"] = 0,
            })),
            ["rootfsPropagation"] = RootfsPropagation(config.Mounts),
        };

        if (!privileged && !security.UnmaskedProc)
        {
            linux["maskedPaths"] = Strings(OciDefaults.MaskedPaths);
            linux["readonlyPaths"] = Strings(OciDefaults.ReadonlyPaths);
        }

        if (security.SeccompRuntimeDefault && !privileged)
        {
            linux["seccomp"] = SeccompDefaultProfile.ToSpec();
        }

        return new JsonObject
        {
            ["ociVersion"] = "1.0.2-dev",
            ["process"] = process,
            ["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = security.ReadOnlyRootFilesystem },
            ["mounts"] = Mounts(config, input.Sandbox),
            ["annotations"] = new JsonObject(config.Annotations.Select(pair =>
                KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value)))),
            ["linux"] = linux,
        };
    }

    /// <summary>containerd's capability arithmetic: defaults (or all when privileged), then add/drop with ALL first.</summary>
    public static IReadOnlyList<string> Capabilities(SecurityOptions security)
    {
        if (security.Privileged)
        {
            return OciDefaults.AllCapabilities;
        }

        static string Normalize(string name) =>
            name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name.ToUpperInvariant() : "CAP_" + name.ToUpperInvariant();

        static bool IsAll(string name) => string.Equals(name, "ALL", StringComparison.OrdinalIgnoreCase);

        var caps = new List<string>(OciDefaults.Capabilities);
        if (security.AddCapabilities.Any(IsAll))
        {
            caps = [.. OciDefaults.AllCapabilities];
        }

        if (security.DropCapabilities.Any(IsAll))
        {
            caps.Clear();
        }

        caps.AddRange(security.AddCapabilities.Where(name => !IsAll(name)).Select(Normalize));
        var drop = security.DropCapabilities.Where(name => !IsAll(name)).Select(Normalize).ToHashSet();
        return caps.Where(cap => !drop.Contains(cap)).Distinct().ToList();
    }

    private static List<string> Environment(ContainerConfig config, string hostname)
    {
        var env = new List<string>(config.Env);
        if (!env.Any(value => value.StartsWith("PATH=", StringComparison.Ordinal)))
        {
            env.Insert(0, OciDefaults.DefaultPath);
        }

        if (!env.Any(value => value.StartsWith("HOSTNAME=", StringComparison.Ordinal)))
        {
            env.Add("HOSTNAME=" + hostname);
        }

        if (config.Tty && !env.Any(value => value.StartsWith("TERM=", StringComparison.Ordinal)))
        {
            env.Add("TERM=xterm");
        }

        return env;
    }

    private static JsonArray Mounts(ContainerConfig config, SandboxRecord sandbox)
    {
        var privileged = config.Security.Privileged;
        var mounts = new JsonArray();
        foreach (var entry in OciDefaults.Mounts(privileged))
        {
            mounts.Add((JsonNode)Mount(entry.Destination, entry.Type, entry.Source, entry.Options));
        }

        var taken = config.Mounts.Select(mount => mount.ContainerPath.TrimEnd('/')).ToHashSet();
        void AddSandboxFile(string destination, string? source, IReadOnlyList<string> options)
        {
            // The pod's own volume at the same place (the kubelet's etc-hosts, for one) wins over the sandbox file.
            if (source is not null && !taken.Contains(destination))
            {
                mounts.Add((JsonNode)Mount(destination, "bind", source, options));
            }
        }

        var fileMode = config.Security.ReadOnlyRootFilesystem ? "ro" : "rw";
        AddSandboxFile("/dev/shm", sandbox.ShmPath, ["rbind", "rprivate", "nosuid", "nodev", "noexec", "rw"]);
        AddSandboxFile("/etc/hostname", sandbox.HostnamePath, ["rbind", "rprivate", fileMode]);
        AddSandboxFile("/etc/resolv.conf", sandbox.ResolvConfPath, ["rbind", "rprivate", fileMode]);
        AddSandboxFile("/etc/hosts", sandbox.HostsPath, ["rbind", "rprivate", fileMode]);

        foreach (var mount in config.Mounts)
        {
            var propagation = mount.Propagation switch
            {
                "Bidirectional" => "rshared",
                "HostToContainer" => "rslave",
                _ => "rprivate",
            };
            mounts.Add((JsonNode)Mount(mount.ContainerPath, "bind", mount.HostPath, ["rbind", propagation, mount.ReadOnly ? "ro" : "rw"]));
        }

        return mounts;
    }

    private static string RootfsPropagation(IReadOnlyList<Mount> mounts)
    {
        // Shared or slave volume propagation only works when the container's root mount propagates too (as CRI-O sets it).
        if (mounts.Any(mount => mount.Propagation == "Bidirectional"))
        {
            return "rshared";
        }

        return mounts.Any(mount => mount.Propagation == "HostToContainer") ? "rslave" : "rprivate";
    }

    private static JsonArray Namespaces(SandboxRecord sandbox)
    {
        var namespaces = new JsonArray(new JsonObject { ["type"] = "mount" });
        if (!sandbox.Config.HostPid)
        {
            namespaces.Add((JsonNode)new JsonObject { ["type"] = "pid" });
        }

        foreach (var (type, path) in new[]
                 {
                     ("network", sandbox.NetworkNamespacePath), ("ipc", sandbox.IpcNamespacePath), ("uts", sandbox.UtsNamespacePath),
                 })
        {
            // No entry means the host's namespace (hostNetwork, hostIPC).
            if (path is not null)
            {
                namespaces.Add((JsonNode)new JsonObject { ["type"] = type, ["path"] = path });
            }
        }

        return namespaces;
    }

    private static JsonObject Resources(
        LinuxResources resources, bool privileged, IReadOnlyList<HostDevices.Device> devices, bool accountsSwap)
    {
        var rules = new JsonArray(new JsonObject { ["allow"] = privileged, ["access"] = "rwm" });
        if (!privileged)
        {
            foreach (var device in devices)
            {
                rules.Add((JsonNode)new JsonObject
                {
                    ["allow"] = true, ["type"] = device.Type, ["major"] = device.Major, ["minor"] = device.Minor, ["access"] = "rwm",
                });
            }
        }

        var cpu = new JsonObject { ["shares"] = resources.CpuShares };
        if (resources.CpuQuota is { } quota)
        {
            cpu["quota"] = quota;
            cpu["period"] = resources.CpuPeriod;
        }

        var result = new JsonObject { ["devices"] = rules, ["cpu"] = cpu };
        if (resources.MemoryLimitBytes is { } memory)
        {
            // Swap limited to the memory limit where the kernel accounts swap: the container cannot swap, it is
            // OOM-killed at its limit (as CRI-O does; without swap accounting runc would refuse the setting). runc
            // writes it as memory.memsw.limit_in_bytes on v1 and as memory.swap.max = 0 on v2, as the kubelet's NoSwap.
            result["memory"] = accountsSwap
                ? new JsonObject { ["limit"] = memory, ["swap"] = memory }
                : new JsonObject { ["limit"] = memory };
        }

        if (resources.PidsLimit is { } pids)
        {
            result["pids"] = new JsonObject { ["limit"] = pids };
        }

        return result;
    }

    private static JsonObject Mount(string destination, string type, string source, IReadOnlyList<string> options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = Strings(options),
    };

    private static JsonArray Strings(IEnumerable<string> values) =>
        Array(values.Select(value => (JsonNode)JsonValue.Create(value)));

    private static JsonArray Array(IEnumerable<JsonNode> nodes) => new([.. nodes]);
}
