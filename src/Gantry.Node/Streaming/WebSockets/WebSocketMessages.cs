using System.Buffers;
using System.Net.WebSockets;

namespace Gantry.Node.Streaming.WebSockets;

/// <summary>Whole-message reads for the channel protocols, where each message starts with its channel byte.</summary>
internal static class WebSocketMessages
{
    /// <summary>
    /// Replaces <paramref name="buffer"/>'s content with the next complete message; false once the client sent Close.
    /// </summary>
    public static async Task<bool> ReceiveAsync(WebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            buffer.Advance(result.Count);
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
        return result.MessageType != WebSocketMessageType.Close;
    }
}
