using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gantry.Bench.Dns;

/// <summary>
/// Closed-loop DNS load from one UDP socket: <c>inFlight</c> queries outstanding at all times, each answer sends the
/// next query in its slot (the slot number is the DNS id). A slot whose answer is lost is re-sent after a second.
/// </summary>
internal sealed class UdpQueryLoad(IPEndPoint server, IReadOnlyList<string> names, int inFlight)
{
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="warmup"/> unrecorded, then records answers for <paramref name="duration"/>.</summary>
    public async Task<DnsLoadResult> RunAsync(TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        var queries = names.Select(Query).ToArray();
        var slots = new byte[inFlight][];
        var sentAt = new long[inFlight];
        var next = 0;
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 << 20;
        await socket.ConnectAsync(server, cancellationToken);

        void Send(int slot)
        {
            var query = queries[next++ % queries.Length];
            if (slots[slot]?.Length != query.Length) slots[slot] = new byte[query.Length];
            query.CopyTo(slots[slot], 0);
            slots[slot][0] = (byte)(slot >> 8);
            slots[slot][1] = (byte)slot;
            Volatile.Write(ref sentAt[slot], Stopwatch.GetTimestamp());
            socket.Send(slots[slot]);
        }

        var samples = new List<long>(1 << 20);
        long answered = 0, failed = 0, lost = 0;
        var cpuAtRecord = TimeSpan.Zero;
        var start = Stopwatch.GetTimestamp();
        var recordFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = recordFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var gate = new Lock();
        lock (gate) for (var slot = 0; slot < inFlight; slot++) Send(slot);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchdog = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
                var now = Stopwatch.GetTimestamp();
                lock (gate)
                {
                    for (var slot = 0; slot < inFlight; slot++)
                    {
                        if (Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt[slot]), now) < LostAfter) continue;
                        lost++;
                        Send(slot);
                    }
                }
            }
        }, CancellationToken.None);

        var buffer = new byte[4096];
        while (true)
        {
            var receive = socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            var length = await receive;
            var now = Stopwatch.GetTimestamp();
            if (now >= stopAt) break;
            if (length < 12) continue;
            var slot = (buffer[0] << 8) | buffer[1];
            if (slot >= inFlight) continue;
            lock (gate)
            {
                if (now >= recordFrom)
                {
                    if (answered == 0) cpuAtRecord = Environment.CpuUsage.TotalTime;
                    answered++;
                    samples.Add(now - sentAt[slot]);
                    // NOERROR with at least one answer record.
                    if ((buffer[3] & 0x0F) != 0 || ((buffer[6] << 8) | buffer[7]) == 0) failed++;
                }
                Send(slot);
            }
        }
        var cpu = Environment.CpuUsage.TotalTime - cpuAtRecord;
        await stop.CancelAsync();
        await watchdog;
        return new DnsLoadResult(answered, failed, lost, duration, cpu, samples);
    }

    // A recursive A question without EDNS; the id is written per slot.
    private static byte[] Query(string name)
    {
        var bytes = new List<byte> { 0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.AddRange([0, 0, 1, 0, 1]);
        return [.. bytes];
    }
}
