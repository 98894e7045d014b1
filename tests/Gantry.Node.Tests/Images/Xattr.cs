using System.Runtime.InteropServices;
using System.Text;

namespace Gantry.Node.Tests.Images;

/// <summary>Reads extended attributes (the tests check overlayfs's trusted.overlay.opaque).</summary>
internal static class Xattr
{
    public static string? Get(string path, string name)
    {
        var buffer = new byte[256];
        var n = lgetxattr(path, name, buffer, buffer.Length);
        return n < 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)n);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint lgetxattr(string path, string name, byte[] value, nint size);
}
