using Xunit;

namespace Gantry.Storage.Tests;

public abstract partial class StoreContractTests
{
    private async Task SeedAsync(params string[] keys)
    {
        foreach (var key in keys)
        {
            await Store.CreateAsync(key, Bytes(key));
        }
    }

    private static string[] Keys(ListResult result) => result.Items.Select(i => i.Key).ToArray();

    [Fact]
    public async Task List_Prefix_ReturnsKeysInOrderAndStopsAtTheSlashBoundary()
    {
        await SeedAsync("/registry/pods/default2/x", "/registry/pods/default/b", "/registry/pods/default/a",
            "/registry/pods/defaulta", "/registry/pods/kube-system/c", "/registry/services/default/a");

        var result = await Store.ListAsync("/registry/pods/default/", ListRequest.All);

        Assert.Equal(["/registry/pods/default/a", "/registry/pods/default/b"], Keys(result));
        Assert.Equal(Store.CurrentRevision, result.Revision);
        Assert.Null(result.NextKey);
        Assert.Equal(0, result.RemainingCount);
    }

    [Fact]
    public async Task List_ResourcePrefix_SpansNamespaces()
    {
        await SeedAsync("/registry/pods/b/x", "/registry/pods/a/y", "/registry/podsx/a/z");

        var result = await Store.ListAsync("/registry/pods/", ListRequest.All);

        Assert.Equal(["/registry/pods/a/y", "/registry/pods/b/x"], Keys(result));
    }

    [Fact]
    public async Task List_EmptyPrefix_ReturnsEveryKey()
    {
        await SeedAsync("/b", "/a", "/c/d");

        Assert.Equal(["/a", "/b", "/c/d"], Keys(await Store.ListAsync("", ListRequest.All)));
    }

    [Fact]
    public async Task List_EmptyStore_ReturnsNothing()
    {
        var result = await Store.ListAsync("/registry/", ListRequest.All);

        Assert.Empty(result.Items);
        Assert.Equal(0, result.Revision);
    }

    [Fact]
    public async Task List_SkipsDeletedKeys()
    {
        await SeedAsync("/p/a", "/p/b", "/p/c");
        await Store.DeleteAsync("/p/b", 0);

        Assert.Equal(["/p/a", "/p/c"], Keys(await Store.ListAsync("/p/", ListRequest.All)));
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughEveryKeyWithNextKeyAndRemainingCount()
    {
        await SeedAsync("/p/a", "/p/b", "/p/c", "/p/d", "/p/e", "/q/a");

        var first = await Store.ListAsync("/p/", new ListRequest(Limit: 2));
        Assert.Equal(["/p/a", "/p/b"], Keys(first));
        Assert.Equal("/p/c", first.NextKey);
        Assert.Equal(3, first.RemainingCount);

        var second = await Store.ListAsync("/p/", new ListRequest(2, first.NextKey, first.Revision));
        Assert.Equal(["/p/c", "/p/d"], Keys(second));
        Assert.Equal("/p/e", second.NextKey);
        Assert.Equal(1, second.RemainingCount);

        var third = await Store.ListAsync("/p/", new ListRequest(2, second.NextKey, first.Revision));
        Assert.Equal(["/p/e"], Keys(third));
        Assert.Null(third.NextKey);
        Assert.Equal(0, third.RemainingCount);
    }

    [Fact]
    public async Task List_LimitEqualToCount_ReturnsNoNextKey()
    {
        await SeedAsync("/p/a", "/p/b");

        var result = await Store.ListAsync("/p/", new ListRequest(Limit: 2));

        Assert.Equal(2, result.Items.Count);
        Assert.Null(result.NextKey);
    }

    [Fact]
    public async Task List_AtOlderRevision_ReturnsTheStateOfThatRevision()
    {
        var a = await Store.CreateAsync("/p/a", Bytes("a1"));
        var b = await Store.CreateAsync("/p/b", Bytes("b1"));
        var then = Store.CurrentRevision;
        await Store.UpdateAsync("/p/a", Bytes("a2"), a.ModRevision);
        await Store.DeleteAsync("/p/b", b.ModRevision);
        await Store.CreateAsync("/p/c", Bytes("c1"));

        var old = await Store.ListAsync("/p/", new ListRequest(Revision: then));

        Assert.Equal(then, old.Revision);
        Assert.Equal(["/p/a", "/p/b"], Keys(old));
        Assert.Equal(["a1", "b1"], old.Items.Select(Text));
        Assert.Equal(a.ModRevision, old.Items[0].ModRevision);
        var now = await Store.ListAsync("/p/", ListRequest.All);
        Assert.Equal(["/p/a", "/p/c"], Keys(now));
        Assert.Equal(["a2", "c1"], now.Items.Select(Text));
    }

    [Fact]
    public async Task List_AtRevisionBeforeAKeyWasRecreated_ShowsTheOldIncarnation()
    {
        await Store.CreateAsync("/p/a", Bytes("first"));
        var then = Store.CurrentRevision;
        await Store.DeleteAsync("/p/a", 0);
        await Store.CreateAsync("/p/a", Bytes("second"));

        var old = await Store.ListAsync("/p/", new ListRequest(Revision: then));

        Assert.Equal("first", Text(Assert.Single(old.Items)));
        Assert.Equal(1, old.Items[0].CreateRevision);
    }

    [Fact]
    public async Task List_PagesAtTheFirstPagesRevision_StayConsistentWhileWritesContinue()
    {
        await SeedAsync("/p/a", "/p/b", "/p/c", "/p/d");
        var first = await Store.ListAsync("/p/", new ListRequest(Limit: 2));

        await Store.DeleteAsync("/p/c", 0);
        await Store.CreateAsync("/p/bb", Bytes("new"));
        await Store.UpdateAsync("/p/d", Bytes("changed"), (await Store.GetAsync("/p/d"))!.ModRevision);

        var second = await Store.ListAsync("/p/", new ListRequest(2, first.NextKey, first.Revision));
        Assert.Equal(["/p/c", "/p/d"], Keys(second));
        Assert.Equal("/p/d", Text(second.Items[1]));
        Assert.Null(second.NextKey);
        Assert.Equal(first.Revision, second.Revision);
    }

    [Fact]
    public async Task List_OldRevisionWithLimit_ReportsNextKeyAndRemainingCount()
    {
        await SeedAsync("/p/a", "/p/b", "/p/c");
        var then = Store.CurrentRevision;
        await Store.CreateAsync("/p/aa", Bytes("later"));

        var page = await Store.ListAsync("/p/", new ListRequest(1, null, then));

        Assert.Equal(["/p/a"], Keys(page));
        Assert.Equal("/p/b", page.NextKey);
        Assert.Equal(2, page.RemainingCount);
    }

    [Fact]
    public async Task List_PagedAtOldRevisionAfterManyChanges_MatchesTheWholeListOfThatRevision()
    {
        var random = new Random(42);
        for (var i = 0; i < 60; i++)
        {
            await Store.CreateAsync($"/p/{i:D2}", Bytes($"v{i}"));
        }
        var then = Store.CurrentRevision;
        for (var i = 0; i < 150; i++)
        {
            var key = $"/p/{random.Next(80):D2}";
            var current = await Store.GetAsync(key);
            switch (random.Next(3))
            {
                case 0 when current is null:
                    await Store.CreateAsync(key, Bytes("new"));
                    break;
                case 1 when current is not null:
                    await Store.UpdateAsync(key, Bytes("changed"), current.ModRevision);
                    break;
                case 2 when current is not null:
                    await Store.DeleteAsync(key, 0);
                    break;
            }
        }
        var whole = await Store.ListAsync("/p/", new ListRequest(Revision: then));

        var paged = new List<StoredValue>();
        var request = new ListRequest(7, null, then);
        while (true)
        {
            var page = await Store.ListAsync("/p/", request);
            paged.AddRange(page.Items);
            Assert.Equal(whole.Items.Count - paged.Count, page.RemainingCount);
            if (page.NextKey is null)
            {
                break;
            }
            request = request with { StartKey = page.NextKey };
        }

        Assert.Equal(60, whole.Items.Count);
        Assert.Equal(whole.Items.Select(i => (i.Key, i.ModRevision)), paged.Select(i => (i.Key, i.ModRevision)));
    }

    [Fact]
    public async Task List_AtFutureRevision_IsRejected()
    {
        await SeedAsync("/p/a");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.ListAsync("/p/", new ListRequest(Revision: 5)));
    }

    [Fact]
    public async Task Count_CountsLiveKeysUnderThePrefix()
    {
        await SeedAsync("/p/a", "/p/b", "/p/c", "/pp/a");
        await Store.DeleteAsync("/p/a", 0);

        Assert.Equal(2, await Store.CountAsync("/p/"));
        Assert.Equal(3, await Store.CountAsync("/"));
        Assert.Equal(0, await Store.CountAsync("/none/"));
    }
}
