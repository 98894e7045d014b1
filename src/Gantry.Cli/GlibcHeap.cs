using System.Runtime.InteropServices;

namespace Gantry.Cli;

/// <summary>glibc's malloc, which the runtime (JIT, type loader), OpenSSL and SQLite allocate native memory from.</summary>
internal static class GlibcHeap
{
    /// <summary>
    /// Gives the free pages inside every malloc arena back to the kernel (glibc otherwise keeps them for reuse, and only
    /// returns memory at the top of an arena). Does nothing on a C library without malloc_trim.
    /// </summary>
    public static void Trim()
    {
        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // musl and other C libraries have no malloc_trim: nothing to give back this way.
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
