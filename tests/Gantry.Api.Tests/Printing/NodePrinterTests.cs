using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class NodePrinterTests
{
    private static string Node(string labels, string spec, string status) => """
        {"metadata":{"name":"node-1","creationTimestamp":"2026-01-07T12:00:00Z","labels":@labels},"spec":@spec,"status":@status}
        """.Replace("@labels", labels).Replace("@spec", spec).Replace("@status", status);

    [Fact]
    public void ReadyControlPlaneNode_PrintsStatusRolesVersionAndWideCells()
    {
        var row = Row("", "Node", Node(
            """{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/master":"","kubernetes.io/hostname":"node-1"}""",
            "{}",
            """
            {"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
             "addresses":[{"type":"InternalIP","address":"192.168.1.10"},{"type":"Hostname","address":"node-1"}],
             "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12 (bookworm)","kernelVersion":"6.1.0-18-amd64","containerRuntimeVersion":"gantry://0.1.0"}}
            """));
        Assert.Equal(["node-1", "Ready", "control-plane,master", "3d", "v1.32.0", "192.168.1.10", "<none>",
            "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64", "gantry://0.1.0"], row);
    }

    [Fact]
    public void CordonedNotReadyNode_ShowsNotReadySchedulingDisabled()
    {
        Assert.Equal("NotReady,SchedulingDisabled", Cell("", "Node",
            Node("{}", """{"unschedulable":true}""", """{"conditions":[{"type":"Ready","status":"Unknown"}]}"""), "Status"));
    }

    [Fact]
    public void NodeWithoutReadyCondition_IsUnknownWithNoRolesAndUnknownSystemInfo()
    {
        var row = Row("", "Node", Node("{}", "{}", "{}"));
        Assert.Equal(["node-1", "Unknown", "<none>", "3d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"], row);
    }

    [Fact]
    public void LegacyRoleLabel_CountsAsRole()
    {
        Assert.Equal("worker", Cell("", "Node", Node("""{"kubernetes.io/role":"worker"}""", "{}", "{}"), "Roles"));
    }
}
