using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class BatchPrinterTests
{
    private static string Job(string spec, string status, string metadata = "") => """
        {"metadata":{"name":"pi","creationTimestamp":"2026-01-10T11:50:00Z"@metadata},
         "spec":{"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u1"}},
                 "template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}@spec},
         "status":@status}
        """.Replace("@metadata", metadata).Replace("@spec", spec).Replace("@status", status);

    [Fact]
    public void CompleteJob_PrintsStatusCompletionsAndDuration()
    {
        var row = Row("batch", "Job", Job(""","completions":1""", """
            {"succeeded":1,"startTime":"2026-01-10T11:50:00Z","completionTime":"2026-01-10T11:50:42Z",
             "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}
            """));
        Assert.Equal(["pi", "Complete", "1/1", "42s", "10m", "pi", "perl", "batch.kubernetes.io/controller-uid=u1"], row);
    }

    [Fact]
    public void RunningJob_DurationRunsUntilNow()
    {
        var json = Job(""","completions":5""", """{"succeeded":2,"startTime":"2026-01-10T11:57:00Z"}""");
        Assert.Equal(["Running", "2/5", "3m"], Row("batch", "Job", json)[1..4]);
    }

    [Theory]
    [InlineData(""","parallelism":3""", "0/1 of 3")]
    [InlineData(""","parallelism":1""", "0/1")]
    [InlineData("", "0/1")]
    public void JobWithoutCompletions_PrintsParallelism(string spec, string expected) =>
        Assert.Equal(expected, Cell("batch", "Job", Job(spec, "{}"), "Completions"));

    [Theory]
    [InlineData("""[{"type":"Failed","status":"True"}]""", "", "Failed")]
    [InlineData("""[{"type":"Suspended","status":"True"}]""", "", "Suspended")]
    [InlineData("""[{"type":"FailureTarget","status":"True"}]""", "", "FailureTarget")]
    [InlineData("""[{"type":"Suspended","status":"True"}]""", ""","deletionTimestamp":"2026-01-10T11:59:00Z" """, "Terminating")]
    [InlineData("""[{"type":"Complete","status":"False"}]""", "", "Running")]
    public void JobStatus_FollowsConditions(string conditions, string metadata, string expected) =>
        Assert.Equal(expected, Cell("batch", "Job", Job("", """{"conditions":@c}""".Replace("@c", conditions), metadata), "Status"));

    [Fact]
    public void JobNotStarted_HasEmptyDuration() =>
        Assert.Equal("", Cell("batch", "Job", Job("", "{}"), "Duration"));

    [Fact]
    public void CronJob_PrintsScheduleTimezoneSuspendActiveAndLastSchedule()
    {
        var printer = Printer("batch", "CronJob");
        Assert.Equal(["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers", "Images", "Selector"],
            printer.Columns.Select(c => c.Name));
        var row = Row("batch", "CronJob", """
            {"metadata":{"name":"hello","creationTimestamp":"2026-01-08T12:00:00Z"},
             "spec":{"schedule":"*/5 * * * *","timeZone":"Etc/UTC","suspend":false,
                     "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"hello","image":"busybox"}]}}}}},
             "status":{"active":[{"name":"hello-1"}],"lastScheduleTime":"2026-01-10T11:58:30Z"}}
            """);
        Assert.Equal(["hello", "*/5 * * * *", "Etc/UTC", "False", 1L, "90s", "2d", "hello", "busybox", "<none>"], row);
    }

    [Fact]
    public void CronJob_WithoutOptionalFields_PrintsPlaceholders()
    {
        var row = Row("batch", "CronJob", """{"metadata":{"name":"c"},"spec":{"schedule":"@daily"}}""");
        Assert.Equal(["<none>", "<unset>", 0L, "<none>"], row[2..6]);
    }
}
