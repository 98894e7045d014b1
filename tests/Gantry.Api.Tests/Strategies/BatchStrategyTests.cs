namespace Gantry.Api.Tests.Strategies;

public sealed class BatchStrategyTests
{
    private const string JobSpec = """{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}""";
    private const string Job = """{"metadata":{"name":"pi"},"spec":""" + JobSpec + "}";
    private const string Uid = "11111111-2222-3333-4444-555555555555";

    [Fact]
    public void Job_Create_GeneratesTheSelectorAndTemplateLabels()
    {
        var job = Api.Valid("batch/v1", "Job", Job);

        Assert.Equal($$$"""{"matchLabels":{"batch.kubernetes.io/controller-uid":"{{{Uid}}}"}}""", Api.At(job, "spec.selector"));
        Assert.Equal($$$"""{"job-name":"pi","batch.kubernetes.io/job-name":"pi","controller-uid":"{{{Uid}}}","batch.kubernetes.io/controller-uid":"{{{Uid}}}"}""",
            Api.At(job, "spec.template.metadata.labels"));
        Assert.Equal(Api.At(job, "spec.template.metadata.labels"), Api.At(job, "metadata.labels"));
    }

    [Fact]
    public void Job_Create_WithTemplateLabels_CopiesOnlyThoseToTheJob()
    {
        var job = Api.Valid("batch/v1", "Job", Job.Replace("\"template\":{", "\"template\":{\"metadata\":{\"labels\":{\"app\":\"pi\"}},"));

        Assert.Equal("""{"app":"pi"}""", Api.At(job, "metadata.labels"));
    }

    [Fact]
    public void Job_Create_FillsDefaults()
    {
        var job = Api.Valid("batch/v1", "Job", Job);

        Assert.Equal("1", Api.At(job, "spec.completions"));
        Assert.Equal("1", Api.At(job, "spec.parallelism"));
        Assert.Equal("6", Api.At(job, "spec.backoffLimit"));
        Assert.Equal("\"NonIndexed\"", Api.At(job, "spec.completionMode"));
        Assert.Equal("false", Api.At(job, "spec.suspend"));
        Assert.Equal("\"TerminatingOrFailed\"", Api.At(job, "spec.podReplacementPolicy"));
        Assert.Equal("\"ClusterFirst\"", Api.At(job, "spec.template.spec.dnsPolicy"));
    }

    [Fact]
    public void Job_Create_WithParallelismOnly_LeavesCompletionsUnset()
    {
        var job = Api.Valid("batch/v1", "Job", Job.Replace("\"template\"", "\"parallelism\":3,\"template\""));

        Assert.Equal("<absent>", Api.At(job, "spec.completions"));
    }

    [Fact]
    public void Job_Create_WithoutRestartPolicy_AsksForOnFailureOrNever()
    {
        var (_, errors) = Api.Create("batch/v1", "Job", Job.Replace("\"restartPolicy\":\"Never\",", ""));
        var (_, odd) = Api.Create("batch/v1", "Job", Job.Replace("\"Never\"", "\"Sometimes\""));

        Assert.Equal(["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""], Api.Lines(errors));
        Assert.Contains("spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"OnFailure\", \"Never\"", Api.Lines(odd));
    }

    [Fact]
    public void Job_Create_WithManualSelectorThatDoesNotMatch_IsInvalid()
    {
        var (_, errors) = Api.Create("batch/v1", "Job",
            Job.Replace("\"template\":{", "\"manualSelector\":true,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"c\"}},"));

        Assert.Equal(["spec.template.metadata.labels: Invalid value: map[string]string{\"a\":\"c\"}: `selector` does not match template `labels`"], Api.Lines(errors));
    }

    [Fact]
    public void Job_Update_ChangingTheTemplate_IsImmutable()
    {
        var job = Api.Valid("batch/v1", "Job", Job);

        var (_, errors) = Api.Update("batch/v1", "Job", job, j => j["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "perl:2");

        Assert.Single(errors);
        Assert.Equal("spec.template", errors[0].Field);
        Assert.EndsWith(": field is immutable", errors[0].Message);
    }

    [Fact]
    public void CronJob_Create_FillsDefaults()
    {
        var cronJob = Api.Valid("batch/v1", "CronJob", """{"metadata":{"name":"c"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":""" + JobSpec + "}}}");

        Assert.Equal("\"Allow\"", Api.At(cronJob, "spec.concurrencyPolicy"));
        Assert.Equal("false", Api.At(cronJob, "spec.suspend"));
        Assert.Equal("3", Api.At(cronJob, "spec.successfulJobsHistoryLimit"));
        Assert.Equal("1", Api.At(cronJob, "spec.failedJobsHistoryLimit"));
        Assert.Equal("\"default-scheduler\"", Api.At(cronJob, "spec.jobTemplate.spec.template.spec.schedulerName"));
        Assert.Equal("<absent>", Api.At(cronJob, "spec.jobTemplate.spec.backoffLimit"));
    }

    [Theory]
    [InlineData("", "spec.schedule: Required value")]
    [InlineData("* * *", "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: [* * *]")]
    [InlineData("61 * * * *", "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61")]
    [InlineData("TZ=UTC * * * * *", "spec.schedule: Invalid value: \"TZ=UTC * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead")]
    public void CronJob_Create_ValidatesTheSchedule(string schedule, string expected)
    {
        var (_, errors) = Api.Create("batch/v1", "CronJob",
            $$$"""{"metadata":{"name":"c"},"spec":{"schedule":"{{{schedule}}}","jobTemplate":{"spec":""" + JobSpec + "}}}");

        Assert.Equal([expected], Api.Lines(errors));
    }

    [Fact]
    public void CronJob_Create_WithLongNameOrConcurrencyPolicy_IsInvalid()
    {
        var name = new string('a', 53);
        var (_, errors) = Api.Create("batch/v1", "CronJob",
            $$$"""{"metadata":{"name":"{{{name}}}"},"spec":{"schedule":"@hourly","concurrencyPolicy":"Sometimes","jobTemplate":{"spec":""" + JobSpec + "}}}");

        Assert.Equal(
        [
            $"metadata.name: Invalid value: \"{name}\": must be no more than 52 characters",
            "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
        ], Api.Lines(errors));
    }
}
