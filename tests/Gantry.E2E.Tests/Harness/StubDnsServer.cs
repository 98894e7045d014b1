using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.E2E.Tests.Harness;

/// <summary>
/// The "outside world" of the cluster DNS in tests: a tiny UDP DNS server on a 127.x address answering A questions
/// for a fixed set of names (NXDOMAIN for the rest) and remembering every question, so tests prove names outside the
/// cluster are forwarded to the --resolv-conf upstreams without any query leaving the machine.
/// </summary>
internal sealed class StubDnsServer : IAsyncDisposable
{
    private readonly UdpClient _udp;
    private readonly IReadOnlyDictionary<string, IPAddress> _answers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private StubDnsServer(IPAddress address, IReadOnlyDictionary<string, IPAddress> answers)
    {
        _udp = new UdpClient(new IPEndPoint(address, 53));
        _answers = answers;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The names asked, lower case without the trailing dot.</summary>
    public ConcurrentQueue<string> Questions { get; } = new();

    /// <summary>Listens on <paramref name="address"/>:53; fails when the port is taken there.</summary>
    public static StubDnsServer Start(IPAddress address, IReadOnlyDictionary<string, IPAddress> answers) => new(address, answers);

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try { request = await _udp.ReceiveAsync(_stop.Token); }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            if (Answer(request.Buffer) is { } response) await _udp.SendAsync(response, request.RemoteEndPoint);
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 17 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1) return null;
        var labels = new List<string>();
        var offset = 12;
        while (offset < query.Length && query[offset] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, query[offset]));
            offset += query[offset] + 1;
        }
        var questionEnd = offset + 5;
        if (questionEnd > query.Length) return null;
        var name = string.Join('.', labels).ToLowerInvariant();
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset + 1));
        Questions.Enqueue(name);
        var known = _answers.TryGetValue(name, out var address);
        var answer = known && type == 1;
        var response = new List<byte>(query[..questionEnd]);
        // QR, opcode 0, RD copied, RA; NXDOMAIN for unknown names. One question, one answer or none, no other records.
        response[2] = (byte)(0x80 | (query[2] & 0x01));
        response[3] = (byte)(0x80 | (known ? 0 : 3));
        response[6] = 0; response[7] = (byte)(answer ? 1 : 0);
        response[8] = response[9] = response[10] = response[11] = 0;
        if (answer)
        {
            response.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4]);
            response.AddRange(address!.GetAddressBytes());
        }
        return [.. response];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
