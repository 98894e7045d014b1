using System.Text.RegularExpressions;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Tests.Unit;

public sealed class ObjectUidTests
{
    [Fact]
    public void New_GivesDistinctVersion4Uuids_AcrossMoreThanOneDraw()
    {
        // 1,000 UIDs span several draws of the per-thread random buffer.
        var uids = Enumerable.Range(0, 1000).Select(_ => ObjectUid.New()).ToList();

        Assert.All(uids, uid => Assert.Matches(new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), uid));
        Assert.Equal(uids.Count, uids.Distinct().Count());
    }
}
