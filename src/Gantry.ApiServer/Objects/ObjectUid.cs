using System.Security.Cryptography;

namespace Gantry.ApiServer.Objects;

/// <summary>
/// New <c>metadata.uid</c> values: random (version 4) UUIDs, as Kubernetes' <c>uuid.NewUUID</c>. Each thread draws its
/// random bytes 256 UUIDs at a time: <see cref="Guid.NewGuid"/> makes a system call per UUID, a cost every create paid.
/// </summary>
internal static class ObjectUid
{
    private const int PerDraw = 256;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_next;

    /// <summary>A new UID in the canonical 8-4-4-4-12 form.</summary>
    public static string New()
    {
        var random = t_random ??= new byte[PerDraw * 16];
        if (t_next == 0) RandomNumberGenerator.Fill(random);
        var bytes = random.AsSpan(t_next * 16, 16);
        t_next = (t_next + 1) % PerDraw;
        // RFC 4122: version 4 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
