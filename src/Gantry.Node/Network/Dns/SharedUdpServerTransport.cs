using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Gantry.Node.Network.Dns;

/// <summary>
/// A UDP transport for ARSoft's <see cref="DnsServer"/> that several instances share one socket through, so the
/// server runs one receive loop per instance instead of one per address. ARSoft's own UdpServerTransport receives
/// on a single loop and arms a timeout timer for every answer it sends: with many queries in flight from one
/// client, that loop and those timers were the server's cost, not the zone lookup (see bench/RESULTS.md, DNS).
/// Questions the <see cref="WireAnswerCache"/> knows are answered right in the receive loop.
/// </summary>
internal sealed class SharedUdpServerTransport : IServerTransport
{
    // Room for EDNS queries (cookies, padding) beyond the classic 512 bytes, after ARSoft's 2-byte length header.
    private const int MaxQuerySize = 1232;

    private readonly Socket _socket;
    private readonly IPEndPoint _endpoint;
    private readonly bool _owner;
    private readonly WireAnswerCache _answers;
    private readonly byte[] _answerBuffer = new byte[ushort.MaxValue];

    private SharedUdpServerTransport(Socket socket, IPEndPoint endpoint, bool owner, WireAnswerCache answers)
    {
        _socket = socket;
        _endpoint = endpoint;
        _owner = owner;
        _answers = answers;
    }

    /// <summary><paramref name="loops"/> transports over one socket on <paramref name="endpoint"/>; the first binds and closes it.</summary>
    public static IReadOnlyList<SharedUdpServerTransport> Create(IPEndPoint endpoint, int loops, WireAnswerCache answers)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endpoint.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        return [.. Enumerable.Range(0, Math.Max(1, loops)).Select(i => new SharedUdpServerTransport(socket, endpoint, i == 0, answers))];
    }

    /// <inheritdoc />
    public ushort DefaultAllowedResponseSize => 512;

    /// <inheritdoc />
    public bool SupportsMultipleResponses => false;

    /// <inheritdoc />
    public bool AllowTruncatedResponses => true;

    /// <inheritdoc />
    public TransportProtocol TransportProtocol => TransportProtocol.Udp;

    /// <inheritdoc />
    public void Bind()
    {
        if (_owner) _socket.Bind(_endpoint);
    }

    /// <inheritdoc />
    public void Close()
    {
        if (_owner) _socket.Close();
    }

    /// <inheritdoc />
    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token = default)
    {
        var buffer = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + MaxQuerySize];
        try
        {
            while (true)
            {
                var generation = _answers.Generation;
                var received = await _socket.ReceiveFromAsync(buffer.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), SocketFlags.None, AnyEndPoint(), token)
                    .ConfigureAwait(false);
                var query = buffer.AsSpan(DnsRawPackage.LENGTH_HEADER_LENGTH, received.ReceivedBytes);
                var length = _answers.TryAnswer(query, _answerBuffer);
                if (length > 0)
                {
                    _socket.SendTo(_answerBuffer.AsSpan(0, length), SocketFlags.None, received.RemoteEndPoint);
                    continue;
                }
                BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)received.ReceivedBytes);
                return new Connection(this, new DnsReceivedRawPackage(buffer, (IPEndPoint)received.RemoteEndPoint, _endpoint), generation);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // ARSoft's contract: null means "no connection this time"; its loop checks for cancellation.
            return null;
        }
    }

    private IPEndPoint AnyEndPoint() => new(_endpoint.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_owner) _socket.Dispose();
    }

    // One datagram: read once, answered once. A UDP send does not block, so unlike ARSoft's it needs no timer.
    private sealed class Connection(SharedUdpServerTransport transport, DnsReceivedRawPackage query, int generation) : IServerConnection
    {
        public IServerTransport Transport => transport;

        public IPEndPoint RemoteEndPoint => query.RemoteEndpoint;

        public IPEndPoint LocalEndPoint => query.LocalEndpoint;

        public bool CanRead { get; private set; } = true;

        public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

        public Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token = default)
        {
            CanRead = false;
            return Task.FromResult<DnsReceivedRawPackage?>(query);
        }

        public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token = default)
        {
            try
            {
                // A package's segment runs to the end of its buffer: its Length says where the message ends.
                var answer = package.ToArraySegment(false).Slice(0, package.Length);
                var sent = await transport._socket.SendToAsync(answer, SocketFlags.None, query.RemoteEndpoint, token).ConfigureAwait(false);
                transport._answers.Store(query.ToArraySegment(false).Slice(0, query.Length), answer, generation);
                return sent == package.Length;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose()
        {
        }
    }
}
