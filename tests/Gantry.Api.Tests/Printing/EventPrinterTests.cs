using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class EventPrinterTests
{
    [Fact]
    public void Columns_PutLastSeenFirstAndNameLast()
    {
        var columns = Printer("", "Event").Columns;
        Assert.Equal(["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"], columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 1, 1, 0, 1, 1, 1], columns.Select(c => c.Priority));
    }

    [Fact]
    public void CoreEvent_PrintsTimesObjectSourceAndTrimmedMessage()
    {
        var row = Row("", "Event", """
            {"metadata":{"name":"web-1.17a","namespace":"default"},
             "involvedObject":{"kind":"Pod","name":"web-1","namespace":"default","fieldPath":"spec.containers{app}"},
             "reason":"Pulled","message":"Successfully pulled image \"nginx\"\n","type":"Normal",
             "source":{"component":"kubelet","host":"node-1"},
             "firstTimestamp":"2026-01-10T11:00:00Z","lastTimestamp":"2026-01-10T11:58:00Z","count":4}
            """);
        Assert.Equal(["2m", "Normal", "Pulled", "pod/web-1", "spec.containers{app}", "kubelet, node-1",
            "Successfully pulled image \"nginx\"", "60m", 4L, "web-1.17a"], row);
    }

    [Fact]
    public void NewApiEvent_UsesEventTimeSeriesAndReportingController()
    {
        var row = Row("events.k8s.io", "Event", """
            {"metadata":{"name":"e1"},"eventTime":"2026-01-10T11:30:00.000000Z",
             "regarding":{"kind":"Node","name":"node-1"},"reason":"Starting","note":"Starting kubelet.","type":"Normal",
             "reportingController":"kubelet","reportingInstance":"node-1",
             "series":{"count":7,"lastObservedTime":"2026-01-10T11:59:00.000000Z"}}
            """);
        Assert.Equal(["60s", "Normal", "Starting", "node/node-1", "", "kubelet, node-1", "Starting kubelet.", "30m", 7L, "e1"], row);
    }

    [Fact]
    public void SingletonEventWithoutTimes_CountsOneAndUnknownTimes()
    {
        var row = Row("", "Event", """{"metadata":{"name":"e"},"involvedObject":{"kind":"Node"},"type":"Warning"}""");
        Assert.Equal(["<unknown>", "Warning", "", "node", "", "", "", "<unknown>", 1L, "e"], row);
    }
}
