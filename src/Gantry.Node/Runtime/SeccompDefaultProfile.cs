using System.Text.Json.Nodes;

namespace Gantry.Node.Runtime;

/// <summary>
/// seccompProfile RuntimeDefault: every syscall is allowed except those containerd's default profile leaves out of its
/// allow-list for a container without extra capabilities; they fail with EPERM, as in containerd.
/// </summary>
internal static class SeccompDefaultProfile
{
    /// <summary>Syscalls refused: kernel modules, mounts, reboot and kexec, swap, clocks, namespaces, tracing, keyrings.</summary>
    public static readonly IReadOnlyList<string> Blocked =
    [
        "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module", "finit_module",
        "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "get_mempolicy", "init_module", "ioperm", "iopl",
        "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount", "mount_setattr",
        "move_mount", "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree",
        "perf_event_open", "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace", "query_module", "quotactl",
        "quotactl_fd", "reboot", "request_key", "set_mempolicy", "setns", "settimeofday", "stime", "swapoff", "swapon",
        "sysfs", "_sysctl", "umount", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old",
    ];

    /// <summary>The profile as the OCI spec's linux.seccomp object.</summary>
    public static JsonObject ToSpec() => new()
    {
        ["defaultAction"] = "SCMP_ACT_ALLOW",
        ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
        ["syscalls"] = new JsonArray(new JsonObject
        {
            ["names"] = new JsonArray(Blocked.Select(name => (JsonNode)JsonValue.Create(name)).ToArray()),
            ["action"] = "SCMP_ACT_ERRNO",
            ["errnoRet"] = 1,
        }),
    };
}
