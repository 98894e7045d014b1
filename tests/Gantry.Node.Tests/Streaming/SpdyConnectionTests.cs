using System.Net;
using System.Net.Sockets;
using Gantry.Node.Streaming.Spdy;

namespace Gantry.Node.Tests.Streaming;

/// <summary>The server end of a SPDY connection, driven frame by frame by a test client over a loopback socket.</summary>
public sealed class SpdyConnectionTests : IAsyncLifetime
{
    private TcpClient? _client;
    private TcpClient? _server;
    private SpdyFramer? _clientFramer;
    private SpdyConnection? _connection;
    private Task? _running;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(10));

    public async Task InitializeAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _client = new TcpClient();
        var accept = listener.AcceptTcpClientAsync();
        await _client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        _server = await accept;
        _clientFramer = new SpdyFramer(_client.GetStream());
        _connection = new SpdyConnection(_server.GetStream());
        _running = _connection.RunAsync(_stop.Token);
    }

    private async Task SendAsync(SpdyFrame frame) => await _client!.GetStream().WriteAsync(_clientFramer!.Encode(frame), _stop.Token);

    private async Task<SpdyFrame> ReadAsync() => await _clientFramer!.ReadAsync(_stop.Token) ?? throw new EndOfStreamException();

    [Fact]
    public async Task SynStream_IsRepliedToAndCarriesDataBothWays()
    {
        await SendAsync(new SpdyFrame { Type = SpdyFrameType.SynStream, StreamId = 1, Headers = [new("streamtype", "stdin")] });
        var reply = await ReadAsync();
        Assert.Equal((SpdyFrameType.SynReply, 1u), (reply.Type, reply.StreamId));
        var stream = await _connection!.IncomingStreams.ReadAsync(_stop.Token);
        Assert.Equal("stdin", stream.Header("streamType"));

        await SendAsync(new SpdyFrame { Type = SpdyFrameType.Data, StreamId = 1, Data = "abc"u8.ToArray() });
        await SendAsync(new SpdyFrame { Type = SpdyFrameType.Data, StreamId = 1, Flags = SpdyFrame.FlagFin });
        Assert.Equal("abc", await new StreamReader(stream).ReadToEndAsync(_stop.Token));

        await stream.WriteAsync("xyz"u8.ToArray(), _stop.Token);
        await stream.CloseWriteAsync(_stop.Token);
        var data = await ReadAsync();
        Assert.Equal((SpdyFrameType.Data, 1u, "xyz"), (data.Type, data.StreamId, System.Text.Encoding.ASCII.GetString(data.Data.Span)));
        var fin = await ReadAsync();
        Assert.True(fin.IsFin && fin.Data.IsEmpty);
    }

    [Fact]
    public async Task Ping_FromTheClient_IsEchoed()
    {
        await SendAsync(new SpdyFrame { Type = SpdyFrameType.Ping, PingId = 3 });
        var pong = await ReadAsync();
        Assert.Equal((SpdyFrameType.Ping, 3u), (pong.Type, pong.PingId));
    }

    [Fact]
    public async Task SynStream_WithAServerStreamId_IsRefused()
    {
        await SendAsync(new SpdyFrame { Type = SpdyFrameType.SynStream, StreamId = 2 });
        var reset = await ReadAsync();
        Assert.Equal((SpdyFrameType.RstStream, 2u, 1u), (reset.Type, reset.StreamId, reset.Status));
    }

    [Fact]
    public async Task WindowUpdatesAndSettings_AreIgnoredAndLargeDataIsNotHeldBack()
    {
        await SendAsync(new SpdyFrame { Type = SpdyFrameType.Settings, Settings = [(0, 7, 1024)] });
        await SendAsync(new SpdyFrame { Type = SpdyFrameType.SynStream, StreamId = 1 });
        await ReadAsync();
        var stream = await _connection!.IncomingStreams.ReadAsync(_stop.Token);
        // More than SPDY's initial 64 KiB window, with no WINDOW_UPDATE from the client (as Go's spdystream).
        var big = new byte[300_000];
        await stream.WriteAsync(big, _stop.Token);
        var received = 0;
        while (received < big.Length) received += (await ReadAsync()).Data.Length;
        Assert.Equal(big.Length, received);
    }

    [Fact]
    public async Task GoAway_FromTheClient_EndsTheConnection()
    {
        await SendAsync(new SpdyFrame { Type = SpdyFrameType.GoAway });
        await _running!.WaitAsync(_stop.Token);
        Assert.False(await _connection!.IncomingStreams.WaitToReadAsync(_stop.Token));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _client?.Dispose();
        _server?.Dispose();
        if (_running is not null) await _running;
        if (_connection is not null) await _connection.DisposeAsync();
        _clientFramer?.Dispose();
        _stop.Dispose();
    }
}
