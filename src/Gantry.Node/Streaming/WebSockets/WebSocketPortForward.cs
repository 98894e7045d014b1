using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;

namespace Gantry.Node.Streaming.WebSockets;

/// <summary>
/// The older WebSocket port-forward protocol (v4.channel.k8s.io with ?port=): one forwarded connection per requested
/// port, on channels 2i (data, both ways) and 2i+1 (errors); each channel starts with its port as a little-endian
/// uint16, as the kubelet writes it.
/// </summary>
internal static class WebSocketPortForward
{
    public const string Protocol = ChannelProtocol.V4;

    public static async Task RunAsync(WebSocket socket, IReadOnlyList<ushort> ports, Func<ushort, CancellationToken, Task<Stream>> dial,
        Func<ushort, string, string> describeError, CancellationToken cancellationToken)
    {
        var channels = new ChannelWebSocket(socket, 4);
        var inbound = ports.Select(_ => new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false))).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveAsync(socket, inbound, stop.Token);
        var portBytes = new byte[2];
        for (var i = 0; i < ports.Count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(portBytes, ports[i]);
            await channels.SendAsync((byte)(2 * i), portBytes, cancellationToken);
            await channels.SendAsync((byte)(2 * i + 1), portBytes, cancellationToken);
        }
        await Task.WhenAll(ports.Select((port, i) => ForwardAsync(channels, i, port, inbound[i].Reader.AsStream(), dial, describeError, stop.Token)));
        await channels.CloseAsync(cancellationToken);
        await stop.CancelAsync();
        await receive;
    }

    private static async Task ForwardAsync(ChannelWebSocket channels, int index, ushort port, Stream fromClient,
        Func<ushort, CancellationToken, Task<Stream>> dial, Func<ushort, string, string> describeError, CancellationToken cancellationToken)
    {
        var data = channels.OutputChannel((byte)(2 * index));
        try
        {
            await using var pod = await dial(port, cancellationToken);
            using var clientSide = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var toPod = CopyAsync(fromClient, pod, clientSide.Token);
            await CopyAsync(pod, data, cancellationToken);
            await clientSide.CancelAsync();
            await toPod;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await channels.SendAsync((byte)(2 * index + 1), Encoding.UTF8.GetBytes(describeError(port, ex.Message)), cancellationToken);
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>Client messages on a data channel go to that port's pipe; the rest are ignored.</summary>
    private static async Task ReceiveAsync(WebSocket socket, Pipe[] inbound, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                if (!await WebSocketMessages.ReceiveAsync(socket, buffer, cancellationToken)) break;
                var message = buffer.WrittenMemory;
                if (message.Length < 2 || message.Span[0] % 2 != 0 || message.Span[0] / 2 >= inbound.Length) continue;
                await inbound[message.Span[0] / 2].Writer.WriteAsync(message[1..], cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or InvalidOperationException)
        {
        }
        finally
        {
            foreach (var pipe in inbound) await pipe.Writer.CompleteAsync();
        }
    }
}
