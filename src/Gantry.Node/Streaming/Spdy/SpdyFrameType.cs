namespace Gantry.Node.Streaming.Spdy;

/// <summary>SPDY/3 frame types (control frame type numbers; <see cref="Data"/> stands for data frames).</summary>
internal enum SpdyFrameType : ushort
{
    Data = 0,
    SynStream = 1,
    SynReply = 2,
    RstStream = 3,
    Settings = 4,
    Ping = 6,
    GoAway = 7,
    Headers = 8,
    WindowUpdate = 9,
}
