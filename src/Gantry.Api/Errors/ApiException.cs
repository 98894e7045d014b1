using System.Text.Json.Nodes;

namespace Gantry.Api.Errors;

/// <summary>
/// A failure that the API server answers with a Kubernetes <c>Status</c> object. Everything a client can cause
/// is one of these (never a 500).
/// </summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the exception from its Status parts.</summary>
    public ApiException(int code, string reason, string message, JsonObject? details = null) : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    /// <summary>HTTP status code.</summary>
    public int Code { get; }

    /// <summary>Machine-readable reason (NotFound, AlreadyExists, Conflict, Invalid, BadRequest, ...).</summary>
    public string Reason { get; }

    /// <summary>The Status details (name, group, kind, causes), or null.</summary>
    public JsonObject? Details { get; }

    /// <summary>The Status object for the response body.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null) status["details"] = Details.DeepClone();
        status["code"] = Code;
        return status;
    }

    private static JsonObject DetailsOf(string? group, string resource, string? name)
    {
        var details = new JsonObject();
        if (name is not null) details["name"] = name;
        if (!string.IsNullOrEmpty(group)) details["group"] = group;
        details["kind"] = resource;
        return details;
    }

    private static string Qualified(string? group, string resource) =>
        string.IsNullOrEmpty(group) ? resource : $"{resource}.{group}";

    /// <summary>404 NotFound for a named object.</summary>
    public static ApiException NotFound(string? group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found", DetailsOf(group, resource, name));

    /// <summary>404 NotFound for a path that serves nothing.</summary>
    public static ApiException NotFoundPath() => new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    /// <summary>409 AlreadyExists.</summary>
    public static ApiException AlreadyExists(string? group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists", DetailsOf(group, resource, name));

    /// <summary>409 Conflict for a stale resourceVersion.</summary>
    public static ApiException Conflict(string? group, string resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {why}", DetailsOf(group, resource, name));

    /// <summary>422 Invalid with one cause per field error, worded like Kubernetes.</summary>
    public static ApiException Invalid(string? group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
            causes.Add((JsonNode)new JsonObject { ["reason"] = e.Reason, ["message"] = e.Message, ["field"] = e.Field });
        var details = new JsonObject { ["name"] = name };
        if (!string.IsNullOrEmpty(group)) details["group"] = group;
        details["kind"] = kind;
        details["causes"] = causes;
        var list = errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        var joined = list.Count == 1 ? list[0] : "[" + string.Join(", ", list) + "]";
        return new(422, "Invalid", $"{kind}{(string.IsNullOrEmpty(group) ? "" : "." + group)} \"{name}\" is invalid: {joined}", details);
    }

    /// <summary>400 BadRequest.</summary>
    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>403 Forbidden.</summary>
    public static ApiException Forbidden(string message, JsonObject? details = null) => new(403, "Forbidden", message, details);

    /// <summary>405 MethodNotAllowed.</summary>
    public static ApiException MethodNotAllowed(string message = "the server does not allow this method on the requested resource") =>
        new(405, "MethodNotAllowed", message, new JsonObject());

    /// <summary>410 Expired (also sent inside watch streams).</summary>
    public static ApiException Expired(string message) => new(410, "Expired", message);

    /// <summary>413 RequestEntityTooLarge.</summary>
    public static ApiException TooLarge(string message = "Request entity too large: limit is 3145728") => new(413, "RequestEntityTooLarge", message);

    /// <summary>415 UnsupportedMediaType.</summary>
    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {contentType})");

    /// <summary>401 Unauthorized.</summary>
    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");
}
