using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class CorePrinterTests
{
    private const string Meta = """ "metadata":{"name":"x","creationTimestamp":"2026-01-10T11:59:30Z"} """;

    [Fact]
    public void Namespace_PrintsPhase() =>
        Assert.Equal(["x", "Active", "30s"], Row("", "Namespace", "{" + Meta + ""","status":{"phase":"Active"}}"""));

    [Fact]
    public void ConfigMap_CountsDataAndBinaryData() =>
        Assert.Equal(["x", 3L, "30s"], Row("", "ConfigMap", "{" + Meta + ""","data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}"""));

    [Fact]
    public void Secret_PrintsTypeAndDataCount() =>
        Assert.Equal(["x", "kubernetes.io/tls", 2L, "30s"], Row("", "Secret", "{" + Meta + ""","type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}"""));

    [Fact]
    public void ServiceAccount_CountsSecrets() =>
        Assert.Equal(["x", 0L, "30s"], Row("", "ServiceAccount", "{" + Meta + "}"));

    [Fact]
    public void Lease_PrintsHolder() =>
        Assert.Equal(["x", "node-1", "30s"], Row("coordination.k8s.io", "Lease", "{" + Meta + ""","spec":{"holderIdentity":"node-1"}}"""));

    [Fact]
    public void PriorityClass_PrintsValueDefaultAndPolicy()
    {
        Assert.Equal(["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"], Printer("scheduling.k8s.io", "PriorityClass").Columns.Select(c => c.Name));
        Assert.Equal(["x", 2000001000L, true, "30s", "PreemptLowerPriority"],
            Row("scheduling.k8s.io", "PriorityClass", "{" + Meta + ""","value":2000001000,"globalDefault":true,"preemptionPolicy":"PreemptLowerPriority"}"""));
        Assert.Equal(["x", 0L, false, "30s", ""], Row("scheduling.k8s.io", "PriorityClass", "{" + Meta + "}"));
    }

    [Fact]
    public void PodDisruptionBudget_PrintsIntOrStringBoundsAndAllowedDisruptions()
    {
        Assert.Equal(["x", "2", "N/A", 1L, "30s"],
            Row("policy", "PodDisruptionBudget", "{" + Meta + ""","spec":{"minAvailable":2},"status":{"disruptionsAllowed":1}}"""));
        Assert.Equal(["x", "N/A", "50%", 0L, "30s"],
            Row("policy", "PodDisruptionBudget", "{" + Meta + ""","spec":{"maxUnavailable":"50%"}}"""));
    }

    [Fact]
    public void ResourceQuota_SplitsRequestsAndLimitsSortedByName()
    {
        Assert.Equal(["Name", "Age", "Request", "Limit"], Printer("", "ResourceQuota").Columns.Select(c => c.Name));
        var row = Row("", "ResourceQuota", "{" + Meta + """
            ,"status":{"hard":{"pods":"10","requests.cpu":"1","limits.memory":"2Gi","limits.cpu":"2"},
                       "used":{"pods":"3","requests.cpu":"500m","limits.cpu":"1"}}}
            """);
        Assert.Equal(["x", "30s", "pods: 3/10, requests.cpu: 500m/1", "limits.cpu: 1/2, limits.memory: 0/2Gi"], row);
    }
}
