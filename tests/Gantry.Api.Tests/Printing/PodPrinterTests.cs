using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class PodPrinterTests
{
    private static string Pod(string spec, string status, string extraMetadata = "") => $$"""
        {"metadata":{"name":"web-1","namespace":"default","creationTimestamp":"{{Ago(TimeSpan.FromMinutes(30))}}"{{extraMetadata}}},
         "spec":{{spec}},"status":{{status}}}
        """;

    private const string OneContainer = """{"containers":[{"name":"app","image":"nginx"}],"nodeName":"node-1"}""";

    [Fact]
    public void Columns_MatchKubectl()
    {
        var columns = Printer("", "Pod").Columns;
        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], columns.Select(c => c.Priority));
        Assert.Equal("name", columns[0].Format);
        Assert.All(columns, c => Assert.Equal("string", c.Type));
    }

    [Fact]
    public void RunningPod_PrintsReadyRunningAndWideCells()
    {
        var row = Row("", "Pod", Pod(OneContainer, """
            {"phase":"Running","podIP":"10.0.0.5","podIPs":[{"ip":"10.0.0.5"}],
             "conditions":[{"type":"Ready","status":"True"}],
             "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{"startedAt":"2026-01-10T11:30:00Z"}}}]}
            """));
        Assert.Equal(["web-1", "1/1", "Running", "0", "30m", "10.0.0.5", "node-1", "<none>", "<none>"], row);
    }

    [Fact]
    public void PendingPod_WithoutStatus_PrintsPendingAndNone()
    {
        var row = Row("", "Pod", Pod("""{"containers":[{"name":"a"},{"name":"b"}]}""", """{"phase":"Pending"}"""));
        Assert.Equal(["web-1", "0/2", "Pending", "0", "30m", "<none>", "<none>", "<none>", "<none>"], row);
    }

    [Fact]
    public void WaitingContainer_ShowsItsReason()
    {
        Assert.Equal("ContainerCreating", Cell("", "Pod", Pod(OneContainer, """
            {"phase":"Pending","containerStatuses":[{"name":"app","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}
            """), "Status"));
    }

    [Fact]
    public void CrashLoopingContainer_ShowsReasonAndRestartsWithTimeSinceLastRestart()
    {
        var json = Pod(OneContainer, """
            {"phase":"Running","containerStatuses":[{"name":"app","ready":false,"restartCount":5,
              "state":{"waiting":{"reason":"CrashLoopBackOff"}},
              "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"@5m"}}}]}
            """.Replace("@5m", Ago(TimeSpan.FromMinutes(5))));
        Assert.Equal("CrashLoopBackOff", Cell("", "Pod", json, "Status"));
        Assert.Equal("5 (5m ago)", Cell("", "Pod", json, "Restarts"));
        Assert.Equal("0/1", Cell("", "Pod", json, "Ready"));
    }

    [Fact]
    public void Restarts_WithoutLastTerminationTime_PrintsCountOnly()
    {
        Assert.Equal("3", Cell("", "Pod", Pod(OneContainer, """
            {"phase":"Running","containerStatuses":[{"name":"app","ready":true,"restartCount":3,"state":{"running":{}}}]}
            """), "Restarts"));
    }

    [Fact]
    public void RunningInitContainer_ShowsInitProgress()
    {
        var spec = """{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"app"}]}""";
        Assert.Equal("Init:1/2", Cell("", "Pod", Pod(spec, """
            {"phase":"Pending","initContainerStatuses":[
              {"name":"i1","restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
              {"name":"i2","restartCount":0,"state":{"running":{}}}]}
            """), "Status"));
        Assert.Equal("Init:0/2", Cell("", "Pod", Pod(spec, """
            {"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}
            """), "Status"));
    }

    [Theory]
    [InlineData("""{"waiting":{"reason":"CrashLoopBackOff"}}""", "Init:CrashLoopBackOff")]
    [InlineData("""{"terminated":{"exitCode":1,"reason":"Error"}}""", "Init:Error")]
    [InlineData("""{"terminated":{"exitCode":2}}""", "Init:ExitCode:2")]
    [InlineData("""{"terminated":{"exitCode":137,"signal":9}}""", "Init:Signal:9")]
    public void FailingInitContainer_ShowsInitReason(string state, string expected)
    {
        var json = Pod("""{"initContainers":[{"name":"i1"}],"containers":[{"name":"app"}]}""",
            $$"""{"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":4,"state":{{state}}}]}""");
        Assert.Equal(expected, Cell("", "Pod", json, "Status"));
        Assert.Equal("4", Cell("", "Pod", json, "Restarts"));
    }

    [Fact]
    public void SucceededPod_ShowsCompleted()
    {
        Assert.Equal(["0/1", "Completed"], Row("", "Pod", Pod(OneContainer, """
            {"phase":"Succeeded","containerStatuses":[{"name":"app","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}
            """))[1..3]);
    }

    [Theory]
    [InlineData("""{"terminated":{"exitCode":3}}""", "ExitCode:3")]
    [InlineData("""{"terminated":{"exitCode":0,"signal":15}}""", "Signal:15")]
    [InlineData("""{"terminated":{"exitCode":1,"reason":"OOMKilled"}}""", "OOMKilled")]
    public void TerminatedContainer_ShowsReasonSignalOrExitCode(string state, string expected) =>
        Assert.Equal(expected, Cell("", "Pod", Pod(OneContainer,
            $$"""{"phase":"Failed","containerStatuses":[{"name":"app","restartCount":0,"state":{{state}}}]}"""), "Status"));

    [Fact]
    public void CompletedContainerBesideRunningOne_ShowsRunningOrNotReady()
    {
        const string spec = """{"containers":[{"name":"a"},{"name":"b"}]}""";
        const string statuses = """
            "containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}},
                                 {"name":"b","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]
            """;
        Assert.Equal("Running", Cell("", "Pod", Pod(spec, $$"""{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],{{statuses}}}"""), "Status"));
        Assert.Equal("NotReady", Cell("", "Pod", Pod(spec, $$"""{"phase":"Running",{{statuses}}}"""), "Status"));
    }

    [Fact]
    public void DeletedRunningPod_ShowsTerminating()
    {
        Assert.Equal("Terminating", Cell("", "Pod", Pod(OneContainer,
            """{"phase":"Running","containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}]}""",
            ""","deletionTimestamp":"2026-01-10T11:59:00Z" """), "Status"));
    }

    [Fact]
    public void DeletedFinishedPod_KeepsItsStatus()
    {
        Assert.Equal("Completed", Cell("", "Pod", Pod(OneContainer,
            """{"phase":"Succeeded","containerStatuses":[{"name":"app","restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}""",
            ""","deletionTimestamp":"2026-01-10T11:59:00Z" """), "Status"));
    }

    [Fact]
    public void DeletedPodOnLostNode_ShowsUnknown()
    {
        Assert.Equal("Unknown", Cell("", "Pod", Pod(OneContainer, """{"phase":"Running","reason":"NodeLost"}""",
            ""","deletionTimestamp":"2026-01-10T11:59:00Z" """), "Status"));
    }

    [Fact]
    public void EvictedPod_ShowsPodReason()
    {
        Assert.Equal("Evicted", Cell("", "Pod", Pod(OneContainer, """{"phase":"Failed","reason":"Evicted","message":"The node was low on resource"}"""), "Status"));
    }

    [Fact]
    public void GatedPod_ShowsSchedulingGated()
    {
        Assert.Equal("SchedulingGated", Cell("", "Pod", Pod(OneContainer,
            """{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}"""), "Status"));
    }

    [Fact]
    public void StartedSidecar_CountsAsReadyContainerAndItsRestarts()
    {
        var json = Pod("""{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}]}""", """
            {"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
             "initContainerStatuses":[{"name":"proxy","ready":true,"started":true,"restartCount":2,"state":{"running":{}},
               "lastState":{"terminated":{"exitCode":1,"finishedAt":"@2h"}}}],
             "containerStatuses":[{"name":"app","ready":true,"restartCount":1,"state":{"running":{}},
               "lastState":{"terminated":{"exitCode":1,"finishedAt":"@10m"}}}]}
            """.Replace("@2h", Ago(TimeSpan.FromHours(2))).Replace("@10m", Ago(TimeSpan.FromMinutes(10))));
        Assert.Equal(["2/2", "Running", "3 (10m ago)"], Row("", "Pod", json)[1..4]);
    }

    [Fact]
    public void ReadinessGates_CountTrueConditions()
    {
        var json = Pod("""{"containers":[{"name":"app"}],"readinessGates":[{"conditionType":"a/ready"},{"conditionType":"b/ready"}]}""",
            """{"phase":"Running","nominatedNodeName":"node-2","conditions":[{"type":"a/ready","status":"True"},{"type":"b/ready","status":"False"}]}""");
        Assert.Equal("1/2", Cell("", "Pod", json, "Readiness Gates"));
        Assert.Equal("node-2", Cell("", "Pod", json, "Nominated Node"));
    }
}
