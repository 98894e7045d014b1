using ARSoft.Tools.Net.Dns;

namespace Gantry.Node.Network.Dns;

/// <summary>What an upstream server answered to one question, as cached and copied into responses.</summary>
internal sealed record UpstreamAnswer(ReturnCode ReturnCode, bool IsAuthenticData, DnsRecordBase[] Answers, DnsRecordBase[] Authorities);
