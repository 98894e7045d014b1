using System.Text.Json.Nodes;

namespace Gantry.Api.Schema;

/// <summary>
/// The query and path parameters of Kubernetes API operations, written inline into each operation as the
/// Kubernetes documents do (kubectl looks for <c>fieldValidation</c> among a PATCH operation's own parameters).
/// </summary>
internal static class OpenApiParameters
{
    private static readonly Dictionary<string, (string Type, string Description)> Query = new()
    {
        ["allowWatchBookmarks"] = ("boolean", "Requests watch events of type BOOKMARK; servers may send them at their discretion. Ignored unless watching."),
        ["command"] = ("string", "The command to run in the container; repeat the parameter for each argument."),
        ["container"] = ("string", "The container to address. Defaults to the only container when the pod has one."),
        ["continue"] = ("string", "The continue token returned by the previous chunk of a paginated list."),
        ["dryRun"] = ("string", "When present, modifications are validated but not persisted. The only valid value is All."),
        ["fieldManager"] = ("string", "The name of the actor making the change, recorded in managedFields. Required for apply patches."),
        ["fieldSelector"] = ("string", "Restricts the returned objects by their fields. Defaults to everything."),
        ["fieldValidation"] = ("string", "How the server treats unknown and duplicate fields in the request body: Ignore drops them silently, Warn drops them and returns a warning for each (the default), Strict rejects the request."),
        ["follow"] = ("boolean", "Follow the log stream of the pod."),
        ["force"] = ("boolean", "Force an apply patch to take ownership of conflicting fields. Must be unset for other patch types."),
        ["gracePeriodSeconds"] = ("integer", "Seconds before the object is deleted; zero deletes immediately. Defaults to the object's own period."),
        ["ignoreStoreReadErrorWithClusterBreakingPotential"] = ("boolean", "Deletes an object whose stored data cannot be read or decoded. Dangerous: it bypasses finalizers and admission."),
        ["insecureSkipTLSVerifyBackend"] = ("boolean", "Skip verifying the serving certificate of the backend that serves the logs."),
        ["labelSelector"] = ("string", "Restricts the returned objects by their labels. Defaults to everything."),
        ["limit"] = ("integer", "The maximum number of objects to return in one chunk of a list; the rest is available through the continue token."),
        ["limitBytes"] = ("integer", "Stop after this many bytes of log output."),
        ["orphanDependents"] = ("boolean", "Deprecated: use propagationPolicy. Whether dependents are orphaned rather than garbage collected."),
        ["path"] = ("string", "The path to forward the request to."),
        ["ports"] = ("integer", "The ports to forward; repeat the parameter for each port."),
        ["pretty"] = ("string", "If 'true', the output is pretty printed."),
        ["previous"] = ("boolean", "Return the log of the previous, terminated instance of the container."),
        ["propagationPolicy"] = ("string", "How dependents are garbage collected: Orphan, Background or Foreground."),
        ["resourceVersion"] = ("string", "Constrains which resource version the request may be served from."),
        ["resourceVersionMatch"] = ("string", "How resourceVersion applies to a list: Exact or NotOlderThan."),
        ["sendInitialEvents"] = ("boolean", "With watch, begin the stream with synthetic ADDED events for the current state, then a bookmark."),
        ["sinceSeconds"] = ("integer", "Only return log lines newer than this many seconds."),
        ["stderr"] = ("boolean", "Redirect the standard error stream of the container."),
        ["stdin"] = ("boolean", "Redirect the standard input stream of the container."),
        ["stdout"] = ("boolean", "Redirect the standard output stream of the container."),
        ["tailLines"] = ("integer", "Only return this many lines from the end of the log."),
        ["timeoutSeconds"] = ("integer", "Timeout of the list or watch call."),
        ["timestamps"] = ("boolean", "Prefix every log line with its RFC 3339 timestamp."),
        ["tty"] = ("boolean", "Allocate a terminal for the command."),
        ["watch"] = ("boolean", "Watch for changes to the described objects and stream them as add, update and remove notifications."),
    };

    /// <summary>Parameters of a list (and of a collection delete).</summary>
    public static readonly string[] List =
    [
        "allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
        "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch",
    ];

    /// <summary>Parameters of create and replace.</summary>
    public static readonly string[] Write = ["dryRun", "fieldManager", "fieldValidation"];

    /// <summary>Parameters of patch.</summary>
    public static readonly string[] Patch = ["dryRun", "fieldManager", "fieldValidation", "force"];

    /// <summary>Parameters of delete.</summary>
    public static readonly string[] Delete =
        ["dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential", "orphanDependents", "propagationPolicy"];

    /// <summary>Parameters of pods/log.</summary>
    public static readonly string[] Log =
        ["container", "follow", "insecureSkipTLSVerifyBackend", "limitBytes", "previous", "sinceSeconds", "tailLines", "timestamps"];

    /// <summary>Parameters of pods/exec.</summary>
    public static readonly string[] Exec = ["command", "container", "stderr", "stdin", "stdout", "tty"];

    /// <summary>Parameters of pods/attach.</summary>
    public static readonly string[] Attach = ["container", "stderr", "stdin", "stdout", "tty"];

    /// <summary>Parameters of pods/portforward.</summary>
    public static readonly string[] PortForward = ["ports"];

    /// <summary>Parameters of the proxy subresources.</summary>
    public static readonly string[] Proxy = ["path"];

    /// <summary>The inline parameter objects for the given query parameter names.</summary>
    public static JsonArray QueryParameters(IEnumerable<string> names)
    {
        var result = new JsonArray();
        foreach (var name in names) result.Add((JsonNode)QueryParameter(name));
        return result;
    }

    private static JsonObject QueryParameter(string name)
    {
        var (type, description) = Query[name];
        return new JsonObject
        {
            ["description"] = description,
            ["in"] = "query",
            ["name"] = name,
            ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
        };
    }

    /// <summary>A required path parameter.</summary>
    public static JsonObject PathParameter(string name, string description) => new()
    {
        ["description"] = description,
        ["in"] = "path",
        ["name"] = name,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    /// <summary>The <c>pretty</c> parameter every path carries.</summary>
    public static JsonObject Pretty() => QueryParameter("pretty");
}
