using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Gantry.Node.Tests.Dns;

/// <summary>
/// An upstream DNS server on a loopback address: answers <c>example.test</c> A (TTL 60), <c>big.test</c> TXT (too
/// big for a plain UDP answer) and NXDOMAIN for the rest, counting the questions it gets.
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    public static readonly IPAddress ExampleAddress = IPAddress.Parse("192.0.2.10");

    private readonly DnsServer _server;
    private int _queries;

    public StubUpstream(IPAddress address, int port)
    {
        Address = address;
        Port = port;
        var endpoint = new IPEndPoint(address, port);
        _server = new DnsServer(new UdpServerTransport(endpoint, 2000), new TcpServerTransport(endpoint, 2000, 2000));
        _server.QueryReceived += OnQueryAsync;
        _server.Start();
    }

    public IPAddress Address { get; }

    public int Port { get; }

    public int Queries => Volatile.Read(ref _queries);

    public static IReadOnlyList<string> BigTexts { get; } = [.. Enumerable.Range(0, 20).Select(i => new string((char)('a' + i), 200))];

    private Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query) return Task.CompletedTask;
        Interlocked.Increment(ref _queries);
        var response = query.CreateResponseInstance();
        var question = query.Questions[0];
        var name = question.Name.ToString().TrimEnd('.').ToLowerInvariant();
        if (name == "example.test" && question.RecordType == RecordType.A)
            response.AnswerRecords.Add(new ARecord(question.Name, 60, ExampleAddress));
        else if (name == "big.test" && question.RecordType == RecordType.Txt)
            response.AnswerRecords.Add(new TxtRecord(question.Name, 60, BigTexts));
        else if (name != "example.test")
        {
            response.ReturnCode = ReturnCode.NxDomain;
            response.AuthorityRecords.Add(new SoaRecord(DomainName.Parse("test"), 60, DomainName.Parse("ns.test"), DomainName.Parse("admin.test"), 1, 60, 60, 60, 30));
        }
        e.Response = response;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _server.Stop();
        return ValueTask.CompletedTask;
    }
}
