using System.Net;
using System.Net.Sockets;

namespace Gantry.Node.Runtime;

/// <summary>
/// kubectl port-forward's connection: a TCP connection to 127.0.0.1:port inside a sandbox's network namespace. A
/// socket belongs to the namespace it was created in, so a dedicated thread enters the namespace (setns affects only
/// the calling thread), creates and connects the socket, and ends; the socket keeps working from any thread.
/// </summary>
internal static class NetnsDialer
{
    /// <summary>Connects to <paramref name="port"/> on the loopback of <paramref name="netnsPath"/> (null: the host's).</summary>
    public static async Task<Stream> ConnectAsync(string? netnsPath, int port, CancellationToken cancellationToken)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "port must be 1-65535");
        }

        Socket socket;
        if (netnsPath is null)
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        }
        else
        {
            var created = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    NativeMethods.SetNamespace(netnsPath, NativeMethods.CloneNewNet);
                    created.SetResult(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                }
                catch (Exception e)
                {
                    created.SetException(e);
                }
            })
            {
                IsBackground = true,
                Name = "netns-dial",
            };
            thread.Start();
            socket = await created.Task.ConfigureAwait(false);
        }

        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
