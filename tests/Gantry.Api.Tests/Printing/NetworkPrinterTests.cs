using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class NetworkPrinterTests
{
    private static string Service(string spec, string status = "{}") => """
        {"metadata":{"name":"web","creationTimestamp":"2026-01-10T11:00:00Z"},"spec":@spec,"status":@status}
        """.Replace("@spec", spec).Replace("@status", status);

    [Fact]
    public void ClusterIPService_PrintsIPPortsAndSelector()
    {
        var printer = Printer("", "Service");
        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], printer.Columns.Select(c => c.Name));
        var row = Row("", "Service", Service("""
            {"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"selector":{"tier":"fe","app":"web"},
             "ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080},{"name":"dns","port":53,"protocol":"UDP"}]}
            """));
        Assert.Equal(["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "60m", "app=web,tier=fe"], row);
    }

    [Fact]
    public void NodePortService_PrintsNodePortsAndExternalIPs()
    {
        var row = Row("", "Service", Service("""
            {"type":"NodePort","clusterIPs":["10.96.1.1"],"externalIPs":["1.2.3.4"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]}
            """));
        Assert.Equal(["NodePort", "10.96.1.1", "1.2.3.4", "80:30080/TCP"], row[1..5]);
    }

    [Fact]
    public void LoadBalancerService_PrintsPendingUntilIngressThenIngressAndExternalIPs()
    {
        Assert.Equal("<pending>", Cell("", "Service", Service("""{"type":"LoadBalancer","clusterIPs":["10.96.1.2"]}"""), "External-IP"));
        Assert.Equal("203.0.113.7,lb.example.com,1.2.3.4", Cell("", "Service", Service(
            """{"type":"LoadBalancer","externalIPs":["1.2.3.4"]}""",
            """{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"},{"hostname":"lb.example.com"}]}}"""), "External-IP"));
    }

    [Fact]
    public void ExternalNameService_PrintsExternalNameAndNoPorts()
    {
        var row = Row("", "Service", Service("""{"type":"ExternalName","externalName":"db.example.com"}"""));
        Assert.Equal(["ExternalName", "<none>", "db.example.com", "<none>"], row[1..5]);
    }

    [Fact]
    public void HeadlessServiceWithLegacyClusterIPOnly_PrintsIt() =>
        Assert.Equal("None", Cell("", "Service", Service("""{"type":"ClusterIP","clusterIP":"None"}"""), "Cluster-IP"));

    [Fact]
    public void Endpoints_PrintsAtMostThreeAddressesThenCount()
    {
        var row = Row("", "Endpoints", """
            {"metadata":{"name":"web","creationTimestamp":"2026-01-10T11:00:00Z"},
             "subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"name":"http","port":80},{"name":"https","port":443}]}]}
            """);
        Assert.Equal(["web", "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...", "60m"], row);
    }

    [Fact]
    public void Endpoints_HeadlessWithoutPortsAndIPv6_AndEmpty()
    {
        Assert.Equal("10.0.0.1", Cell("", "Endpoints", """{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}]}]}""", "Endpoints"));
        Assert.Equal("[fd00::1]:80", Cell("", "Endpoints",
            """{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":80}]}]}""", "Endpoints"));
        Assert.Equal("<none>", Cell("", "Endpoints", """{"metadata":{"name":"e"}}""", "Endpoints"));
    }

    [Fact]
    public void EndpointSlice_PrintsAddressTypePortsAndEndpoints()
    {
        var row = Row("discovery.k8s.io", "EndpointSlice", """
            {"metadata":{"name":"web-abc","creationTimestamp":"2026-01-10T11:00:00Z"},"addressType":"IPv4",
             "ports":[{"name":"http","port":80},{"name":"named"}],
             "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2","10.0.0.3"]},{"addresses":["10.0.0.4"]}]}
            """);
        Assert.Equal(["web-abc", "IPv4", "80,named", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...", "60m"], row);
        Assert.Equal(["<unset>", "<unset>"], Row("discovery.k8s.io", "EndpointSlice", """{"metadata":{"name":"s"},"addressType":"IPv4"}""")[2..4]);
    }
}
