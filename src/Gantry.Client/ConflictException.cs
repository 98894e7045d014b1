using System.Net;
using k8s.Models;

namespace Gantry.Client;

/// <summary>409 Conflict on a write: the object changed since it was read (optimistic concurrency); re-read and retry.</summary>
public sealed class ConflictException : ApiClientException
{
    /// <summary>Creates the exception from the server's Status.</summary>
    public ConflictException(V1Status? status, string? fallbackMessage = null)
        : base(HttpStatusCode.Conflict, status, fallbackMessage)
    {
    }
}
