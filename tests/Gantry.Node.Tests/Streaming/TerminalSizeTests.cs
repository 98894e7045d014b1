using System.Text;
using Gantry.Node.Streaming;

namespace Gantry.Node.Tests.Streaming;

public sealed class TerminalSizeTests
{
    [Fact]
    public void Parse_ResizeMessage_ReturnsColumnsAndRows() =>
        Assert.Equal(((ushort)80, (ushort)24), TerminalSize.Parse("""{"Width":80,"Height":24}"""u8));

    [Fact]
    public void Parse_NotAResizeMessage_ReturnsNull() => Assert.Null(TerminalSize.Parse("nope"u8));

    [Fact]
    public async Task Pump_ConcatenatedObjects_ResizesForEach()
    {
        var sizes = new List<(ushort, ushort)>();
        await TerminalSize.PumpAsync(new MemoryStream(Encoding.ASCII.GetBytes("""{"Width":80,"Height":24}{"Width":100,"Height":40}""")),
            (c, r) => sizes.Add((c, r)), CancellationToken.None);
        Assert.Equal([(80, 24), (100, 40)], sizes);
    }
}
