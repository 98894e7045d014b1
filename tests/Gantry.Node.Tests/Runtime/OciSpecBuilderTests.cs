using System.Text.Json.Nodes;
using Gantry.Node.Images;
using Gantry.Node.Runtime;

namespace Gantry.Node.Tests.Runtime;

/// <summary>The spec containerd would write, without running anything.</summary>
public sealed class OciSpecBuilderTests
{
    private static readonly string[] Defaults =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    [Fact]
    public void Capabilities_AddAndDrop_ApplyAllFirst_ThenSingleNames()
    {
        Assert.Equal(Defaults, OciSpecBuilder.Capabilities(new SecurityOptions()));
        Assert.Equal(["CAP_NET_ADMIN"], OciSpecBuilder.Capabilities(new SecurityOptions { DropCapabilities = ["ALL"], AddCapabilities = ["net_admin"] }));
        var allButChown = OciSpecBuilder.Capabilities(new SecurityOptions { AddCapabilities = ["ALL"], DropCapabilities = ["CHOWN"] });
        Assert.DoesNotContain("CAP_CHOWN", allButChown);
        Assert.Contains("CAP_SYS_ADMIN", allButChown);
        Assert.Equal(
            OciSpecBuilder.Capabilities(new SecurityOptions { Privileged = true }),
            OciSpecBuilder.Capabilities(new SecurityOptions { Privileged = true, DropCapabilities = ["ALL"] }));
    }

    [Fact]
    public void UnprivilegedContainer_GetsMaskedPaths_NoNewPrivileges_AndTheSandboxNamespaces()
    {
        var spec = Build(new SecurityOptions { AllowPrivilegeEscalation = false, ReadOnlyRootFilesystem = true }, hostNetwork: false);

        Assert.Contains("/proc/kcore", Strings(spec["linux"]!["maskedPaths"]!));
        Assert.Contains("/proc/sys", Strings(spec["linux"]!["readonlyPaths"]!));
        Assert.True(spec["process"]!["noNewPrivileges"]!.GetValue<bool>());
        Assert.True(spec["root"]!["readonly"]!.GetValue<bool>());
        Assert.Empty(spec["process"]!["capabilities"]!["ambient"]!.AsArray());
        Assert.Null(spec["linux"]!["seccomp"]);
        var namespaces = spec["linux"]!["namespaces"]!.AsArray().ToDictionary(n => n!["type"]!.GetValue<string>(), n => n!["path"]?.GetValue<string>());
        Assert.Equal("/sb/ns/net", namespaces["network"]);
        Assert.Equal("/sb/ns/ipc", namespaces["ipc"]);
        Assert.Null(namespaces["pid"]);
        Assert.Null(namespaces["mount"]);
        Assert.Equal("/gantry/n/kubepods/podx/c1", spec["linux"]!["cgroupsPath"]!.GetValue<string>());
        Assert.Contains(Strings(spec["mounts"]!.AsArray().Select(m => m!["destination"]).ToArray()), d => d == "/etc/resolv.conf");
    }

    [Fact]
    public void PrivilegedHostNetworkContainer_HasNoMasks_AWritableSys_AndNoNetworkNamespace()
    {
        var spec = Build(new SecurityOptions { Privileged = true, SeccompRuntimeDefault = true }, hostNetwork: true);

        Assert.Null(spec["linux"]!["maskedPaths"]);
        Assert.Null(spec["linux"]!["seccomp"]);
        var sys = spec["mounts"]!.AsArray().Single(m => m!["destination"]!.GetValue<string>() == "/sys");
        Assert.Contains("rw", Strings(sys!["options"]!));
        Assert.DoesNotContain(spec["linux"]!["namespaces"]!.AsArray(), n => n!["type"]!.GetValue<string>() is "network" or "uts");
        Assert.True(spec["linux"]!["resources"]!["devices"]![0]!["allow"]!.GetValue<bool>());
    }

    [Fact]
    public void SeccompRuntimeDefault_RefusesModuleLoadingMountsAndReboot()
    {
        var spec = Build(new SecurityOptions { SeccompRuntimeDefault = true }, hostNetwork: false);

        var seccomp = spec["linux"]!["seccomp"]!;
        Assert.Equal("SCMP_ACT_ALLOW", seccomp["defaultAction"]!.GetValue<string>());
        var blocked = Strings(seccomp["syscalls"]![0]!["names"]!);
        Assert.Superset(new HashSet<string> { "mount", "umount2", "init_module", "finit_module", "delete_module", "kexec_load", "reboot", "swapon", "swapoff" }, new HashSet<string>(blocked));
    }

    [Fact]
    public void Users_ResolveNamesAndGroupsFromTheRootfs()
    {
        var rootfs = Directory.CreateTempSubdirectory("gantry-users-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
            File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n");
            File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "app:x:1000:\nextra:x:2000:app\n");

            Assert.Equal((1000L, 2000L), Identity(UserResolver.Resolve(rootfs, new SecurityOptions { ImageUser = "app:extra" })));
            Assert.Equal((7L, 8L), Identity(UserResolver.Resolve(rootfs, new SecurityOptions { ImageUser = "7:8" })));
            Assert.Equal((0L, 0L), Identity(UserResolver.Resolve(rootfs, new SecurityOptions())));
            Assert.Equal([1000L, 2000L, 5L], UserResolver.Resolve(rootfs, new SecurityOptions { RunAsUser = 1000, SupplementalGroups = [5] }).AdditionalGids);
            Assert.Throws<InvalidOperationException>(() => UserResolver.Resolve(rootfs, new SecurityOptions { ImageUser = "ghost" }));
        }
        finally
        {
            Directory.Delete(rootfs, recursive: true);
        }
    }

    private static (long, long) Identity(UserResolver.Identity identity) => (identity.Uid, identity.Gid);

    private static JsonObject Build(SecurityOptions security, bool hostNetwork)
    {
        var config = new ContainerConfig
        {
            Name = "c",
            Image = new ImageInfo { Id = "sha256:x", LayerDirs = ["/l"] },
            Args = ["sh"],
            LogPath = "/logs/c.log",
            Security = security,
        };
        var sandbox = new SandboxRecord
        {
            Id = "s",
            Config = new PodSandboxConfig
            {
                PodUid = "u", PodNamespace = "default", PodName = "p", Hostname = "p", HostNetwork = hostNetwork, CgroupParent = "/gantry/n/kubepods/podx",
            },
            NetworkNamespacePath = hostNetwork ? null : "/sb/ns/net",
            UtsNamespacePath = hostNetwork ? null : "/sb/ns/uts",
            IpcNamespacePath = "/sb/ns/ipc",
            ShmPath = "/sb/shm",
            HostnamePath = "/sb/hostname",
            ResolvConfPath = "/sb/resolv.conf",
        };
        return OciSpecBuilder.Build(new OciSpecBuilder.Input(config, sandbox, new UserResolver.Identity(0, 0, [0]), [], "/gantry/n/kubepods/podx/c1", AccountsSwap: true));
    }

    private static string[] Strings(JsonNode node) => node.AsArray().Select(value => value!.GetValue<string>()).ToArray();

    private static string[] Strings(JsonNode?[] nodes) => nodes.Select(value => value!.GetValue<string>()).ToArray();
}
