using System.Runtime.InteropServices;

namespace Gantry.Node.Images;

/// <summary>Picks this node's entry (linux and its architecture) from a manifest list or OCI index.</summary>
internal static class PlatformMatcher
{
    /// <summary>The node's architecture in OCI words (amd64, arm64, ...).</summary>
    public static string Architecture => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The first linux entry for this architecture; an error naming the platform when there is none.</summary>
    public static Descriptor Choose(IReadOnlyList<Descriptor> manifests) =>
        manifests.FirstOrDefault(m => m.Platform is { Os: "linux" } p && p.Architecture == Architecture)
        ?? throw new InvalidDataException($"no matching manifest for linux/{Architecture} in the manifest list entries");
}
