using Gantry.Node.Network.Dns;

namespace Gantry.Node.Tests.Dns;

public sealed class WireAnswerCacheTests
{
    private static byte[] Query(byte id) => [0, id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0, 0, 1, 0, 1];

    private static byte[] Answer(bool authoritative) => [0, 1, (byte)(0x81 | (authoritative ? 0x04 : 0)), 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 9, 9];

    [Fact]
    public void CachedAnswer_CarriesTheNewQuerysId()
    {
        var cache = new WireAnswerCache(10);
        cache.Store(Query(1), Answer(authoritative: true), cache.Generation);
        var destination = new byte[512];

        var length = cache.TryAnswer(Query(7), destination);

        Assert.Equal(Answer(true).Length, length);
        Assert.Equal(7, destination[1]);
        Assert.Equal(Answer(true)[2..length], destination[2..length]);
    }

    [Fact]
    public void NonAuthoritativeAnswer_IsNotCached()
    {
        var cache = new WireAnswerCache(10);
        cache.Store(Query(1), Answer(authoritative: false), cache.Generation);

        Assert.Equal(0, cache.TryAnswer(Query(1), new byte[512]));
    }

    [Fact]
    public void AnswerFromAnOlderZone_IsNeitherStoredNorServed()
    {
        var cache = new WireAnswerCache(10);
        var before = cache.Generation;
        cache.Store(Query(1), Answer(authoritative: true), before);
        cache.Invalidate();
        cache.Store(Query(2), Answer(authoritative: true), before);

        Assert.Equal(0, cache.TryAnswer(Query(1), new byte[512]));
    }
}
