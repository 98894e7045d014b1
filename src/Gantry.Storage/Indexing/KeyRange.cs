namespace Gantry.Storage.Indexing;

/// <summary>
/// Prefix arithmetic shared by the stores. Keys compare ordinally; for the ASCII keys Kubernetes uses this is
/// the same order as SQLite's BINARY collation of UTF-8, so in-memory and on-disk pages agree.
/// </summary>
internal static class KeyRange
{
    /// <summary>Above every valid UTF-8 key, used when a prefix has no finite end.</summary>
    public const string Unbounded = "\U0010FFFF\U0010FFFF";

    /// <summary>The smallest string greater than every string that starts with <paramref name="prefix"/>.</summary>
    public static string End(string prefix)
    {
        var chars = prefix.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (chars[i] != char.MaxValue)
            {
                chars[i]++;
                return new string(chars, 0, i + 1);
            }
        }
        return Unbounded;
    }

    /// <summary>Where a page starts: the later of the prefix and the caller's resume key.</summary>
    public static string Start(string prefix, string? startKey) =>
        startKey is not null && string.CompareOrdinal(startKey, prefix) > 0 ? startKey : prefix;
}
