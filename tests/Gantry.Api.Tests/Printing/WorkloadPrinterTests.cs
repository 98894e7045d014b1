using Xunit;
using static Gantry.Api.Tests.Printing.PrinterTestKit;

namespace Gantry.Api.Tests.Printing;

public sealed class WorkloadPrinterTests
{
    private const string Template = """
        "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"sidecar","image":"busybox"}]}}
        """;

    [Fact]
    public void Deployment_PrintsReadyOfDesiredAndPlainSelector()
    {
        var printer = Printer("apps", "Deployment");
        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], printer.Columns.Select(c => c.Name));
        var row = Row("apps", "Deployment", """
            {"metadata":{"name":"web","creationTimestamp":"2026-01-10T07:00:00Z"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},@template},
             "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}
            """.Replace("@template", Template));
        Assert.Equal(["web", "2/3", 3L, 2L, "5h", "nginx,sidecar", "nginx:1.27,busybox", "app=web"], row);
    }

    [Fact]
    public void Deployment_WithEmptySelector_PrintsEmptyText()
    {
        Assert.Equal("", Cell("apps", "Deployment", """{"metadata":{"name":"d"},"spec":{"selector":{}}}""", "Selector"));
        Assert.Equal("<invalid>", Cell("apps", "Deployment",
            """{"metadata":{"name":"d"},"spec":{"selector":{"matchExpressions":[{"key":"a","operator":"Bogus"}]}}}""", "Selector"));
    }

    [Fact]
    public void ReplicaSet_PrintsCountsAsIntegersAndFormattedSelector()
    {
        var printer = Printer("apps", "ReplicaSet");
        Assert.Equal(["string", "integer", "integer", "integer", "string", "string", "string", "string"], printer.Columns.Select(c => c.Type));
        var row = Row("apps", "ReplicaSet", """
            {"metadata":{"name":"web-5d4f","creationTimestamp":"2026-01-10T07:00:00Z"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["b","a"]}]},@template},
             "status":{"replicas":3,"readyReplicas":1}}
            """.Replace("@template", Template));
        Assert.Equal(["web-5d4f", 3L, 3L, 1L, "5h", "nginx,sidecar", "nginx:1.27,busybox", "app=web,tier in (a,b)"], row);
    }

    [Fact]
    public void ReplicationController_PrintsMapSelector()
    {
        var row = Row("", "ReplicationController", """
            {"metadata":{"name":"rc","creationTimestamp":"2026-01-10T07:00:00Z"},
             "spec":{"replicas":2,"selector":{"tier":"fe","app":"web"},@template},"status":{"replicas":2,"readyReplicas":2}}
            """.Replace("@template", Template));
        Assert.Equal(["rc", 2L, 2L, 2L, "5h", "nginx,sidecar", "nginx:1.27,busybox", "app=web,tier=fe"], row);
    }

    [Fact]
    public void StatefulSet_PrintsReadyOfDesired()
    {
        var row = Row("apps", "StatefulSet", """
            {"metadata":{"name":"db","creationTimestamp":"2026-01-10T07:00:00Z"},"spec":{"replicas":3,@template},"status":{"readyReplicas":1}}
            """.Replace("@template", Template));
        Assert.Equal(["db", "1/3", "5h", "nginx,sidecar", "nginx:1.27,busybox"], row);
    }

    [Fact]
    public void DaemonSet_PrintsCountsNodeSelectorAndSelector()
    {
        var row = Row("apps", "DaemonSet", """
            {"metadata":{"name":"fluentd","creationTimestamp":"2026-01-10T07:00:00Z"},
             "spec":{"selector":{"matchLabels":{"app":"fluentd"}},
                     "template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"f","image":"fluentd"}]}}},
             "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,"numberAvailable":2}}
            """);
        Assert.Equal(["fluentd", 3L, 3L, 2L, 3L, 2L, "kubernetes.io/os=linux", "5h", "f", "fluentd", "app=fluentd"], row);
        Assert.Equal("<none>", Cell("apps", "DaemonSet", """{"metadata":{"name":"x"}}""", "Node Selector"));
    }

    [Fact]
    public void ControllerRevision_PrintsControllingOwner()
    {
        var row = Row("apps", "ControllerRevision", """
            {"metadata":{"name":"fluentd-7c9","creationTimestamp":"2026-01-10T07:00:00Z",
              "ownerReferences":[{"apiVersion":"apps/v1","kind":"DaemonSet","name":"fluentd","uid":"1","controller":true}]},
             "revision":4}
            """);
        Assert.Equal(["fluentd-7c9", "daemonset.apps/fluentd", 4L, "5h"], row);
        Assert.Equal("<none>", Cell("apps", "ControllerRevision", """{"metadata":{"name":"x"},"revision":1}""", "Controller"));
    }
}
