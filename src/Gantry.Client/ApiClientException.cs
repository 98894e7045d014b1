using System.Net;
using k8s.Models;

namespace Gantry.Client;

/// <summary>
/// A request the API server refused: the HTTP status code, the Kubernetes reason (NotFound, Conflict, AlreadyExists,
/// Invalid, Expired, ...) and the <see cref="V1Status"/> the server sent, when it sent one.
/// </summary>
public class ApiClientException : Exception
{
    /// <summary>Creates an exception from a response's status code and optional Status body.</summary>
    public ApiClientException(HttpStatusCode statusCode, V1Status? status, string? fallbackMessage = null)
        : base(status?.Message ?? fallbackMessage ?? $"the server answered {(int)statusCode} {statusCode}")
    {
        StatusCode = statusCode;
        Status = status;
        Reason = status?.Reason ?? DefaultReason(statusCode);
    }

    /// <summary>The HTTP status code (or the Status code of a watch ERROR event).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The Kubernetes reason, e.g. NotFound; derived from the status code when the server sent none.</summary>
    public string Reason { get; }

    /// <summary>The Status object the server sent, if any.</summary>
    public V1Status? Status { get; }

    /// <summary>404: the object (or its namespace) does not exist.</summary>
    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>409 Conflict: a stale resourceVersion or a failed precondition.</summary>
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict && Reason == "Conflict";

    /// <summary>409 AlreadyExists: a create of a name that is taken.</summary>
    public bool IsAlreadyExists => StatusCode == HttpStatusCode.Conflict && Reason == "AlreadyExists";

    /// <summary>422 Invalid: validation failed; <see cref="Status"/> details name the fields.</summary>
    public bool IsInvalid => (int)StatusCode == 422;

    /// <summary>410 Gone/Expired: the resourceVersion asked for is no longer in the server's history; relist.</summary>
    public bool IsGone => StatusCode == HttpStatusCode.Gone;

    /// <summary>429 TooManyRequests (also eviction blocked by a disruption budget).</summary>
    public bool IsTooManyRequests => StatusCode == HttpStatusCode.TooManyRequests;

    private static string DefaultReason(HttpStatusCode code) => (int)code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Expired",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        504 => "Timeout",
        _ => "InternalError",
    };
}
