namespace Gantry.Node.Streaming.WebSockets;

/// <summary>
/// The Kubernetes WebSocket channel protocols for exec/attach (Sec-WebSocket-Protocol values). Every binary message
/// starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize (v3+); v5 adds 255 "close stream".
/// </summary>
internal static class ChannelProtocol
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";
    public const string V3 = "v3.channel.k8s.io";
    public const string V2 = "v2.channel.k8s.io";
    public const string V1 = "channel.k8s.io";

    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Error = 3;
    public const byte Resize = 4;
    public const byte CloseStream = 255;

    /// <summary>What the server speaks, best first (the client's order decides among them).</summary>
    public static readonly string[] Supported = [V5, V4, V3, V2, V1];

    /// <summary>The protocol's version number (1 for the unversioned one).</summary>
    public static int VersionOf(string protocol) => protocol switch
    {
        V5 => 5,
        V4 => 4,
        V3 => 3,
        V2 => 2,
        _ => 1,
    };
}
