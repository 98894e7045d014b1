using Gantry.Storage.Indexing;

namespace Gantry.Storage.Tests;

public sealed class SortedKeysTests
{
    [Fact]
    public void AddAndRemove_InRandomOrder_KeepTheSameKeysInTheSameOrderAsASortedSet()
    {
        var keys = new SortedKeys();
        var reference = new SortedSet<string>(StringComparer.Ordinal);
        var random = new Random(7);
        // Enough keys for many splits, then enough removals for runs to empty and merge.
        for (var i = 0; i < 20_000; i++)
        {
            var key = $"/registry/pods/ns-{random.Next(20)}/pod-{random.Next(50_000)}";
            Assert.Equal(reference.Add(key), keys.Add(key));
        }
        for (var i = 0; i < 30_000; i++)
        {
            var key = $"/registry/pods/ns-{random.Next(20)}/pod-{random.Next(50_000)}";
            Assert.Equal(reference.Remove(key), keys.Remove(key));
        }
        // Adds after runs were merged and dropped must still find their runs.
        for (var i = 0; i < 10_000; i++)
        {
            var key = $"/registry/pods/ns-{random.Next(20)}/pod-{random.Next(50_000)}";
            Assert.Equal(reference.Add(key), keys.Add(key));
        }
        Assert.Equal(reference.Count, keys.Count);
        Assert.Equal(reference, keys.From(""));
        Assert.Equal(reference.Where(k => k.StartsWith("/registry/pods/ns-1/", StringComparison.Ordinal)), keys.WithPrefix("/registry/pods/ns-1/", "/registry/pods/ns-1/"));
    }

    [Fact]
    public void WithPrefix_FromAKeyInside_ListsOnlyThePrefixFromThere()
    {
        var keys = new SortedKeys();
        foreach (var key in new[] { "/a/2", "/b/1", "/a/1", "/a/3", "/ab/1", "/a0" }) keys.Add(key);

        Assert.Equal(["/a/1", "/a/2", "/a/3"], keys.WithPrefix("/a/", "/a/"));
        Assert.Equal(["/a/2", "/a/3"], keys.WithPrefix("/a/", "/a/2"));
        Assert.Equal(["/a/3", "/a0", "/ab/1", "/b/1"], keys.From("/a/20"));
        Assert.Empty(keys.WithPrefix("/c/", "/c/"));
    }

    [Fact]
    public void RemovingEveryKey_LeavesAnEmptySetThatStillAcceptsKeys()
    {
        var keys = new SortedKeys();
        for (var i = 0; i < 1_000; i++) keys.Add($"k{i:D4}");
        for (var i = 999; i >= 0; i--) Assert.True(keys.Remove($"k{i:D4}"));

        Assert.Equal(0, keys.Count);
        Assert.Empty(keys.From(""));
        Assert.False(keys.Remove("k0000"));
        Assert.True(keys.Add("k0000"));
        Assert.Equal(["k0000"], keys.From(""));
    }
}
