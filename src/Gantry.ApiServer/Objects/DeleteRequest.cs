using System.Text.Json.Nodes;
using Gantry.Api.Errors;

namespace Gantry.ApiServer.Objects;

/// <summary>The parsed meta/v1 DeleteOptions of a delete (body and query combined).</summary>
public sealed record DeleteRequest
{
    /// <summary>gracePeriodSeconds, or null for the object's default.</summary>
    public long? GracePeriodSeconds { get; init; }
    /// <summary>Orphan, Background or Foreground; null for the kind's default.</summary>
    public string? PropagationPolicy { get; init; }
    /// <summary>preconditions.uid.</summary>
    public string? PreconditionUid { get; init; }
    /// <summary>preconditions.resourceVersion.</summary>
    public string? PreconditionResourceVersion { get; init; }
    /// <summary>dryRun=All.</summary>
    public bool DryRun { get; init; }

    /// <summary>Reads DeleteOptions from a decoded body (may be null) and query values.</summary>
    public static DeleteRequest From(JsonObject? body, Func<string, string?> query)
    {
        try
        {
            return Parse(body, query);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw ApiException.BadRequest($"error decoding DeleteOptions: {ex.Message}");
        }
    }

    private static DeleteRequest Parse(JsonObject? body, Func<string, string?> query)
    {
        long? grace = null;
        if (body?["gracePeriodSeconds"] is JsonValue g) grace = g.GetValue<long>();
        if (query("gracePeriodSeconds") is { } gq)
            grace = long.TryParse(gq, out var parsed) ? parsed : throw ApiException.BadRequest($"invalid gracePeriodSeconds \"{gq}\"");
        var policy = (string?)(body?["propagationPolicy"] as JsonValue) ?? query("propagationPolicy");
        var orphan = (bool?)(body?["orphanDependents"] as JsonValue) ?? (query("orphanDependents") is { } o ? o == "true" : null);
        if (policy is null && orphan is not null) policy = orphan.Value ? "Orphan" : "Background";
        if (policy is not null && policy is not ("Orphan" or "Background" or "Foreground"))
            throw ApiException.Invalid("", "DeleteOptions", "", [FieldError.NotSupported("propagationPolicy", policy, ["Foreground", "Background", "Orphan"])]);
        var dryRun = body?["dryRun"] is JsonArray dr && dr.Any(v => (string?)v == "All") || query("dryRun") == "All";
        return new DeleteRequest
        {
            GracePeriodSeconds = grace,
            PropagationPolicy = policy,
            PreconditionUid = (string?)(body?["preconditions"]?["uid"] as JsonValue),
            PreconditionResourceVersion = (string?)(body?["preconditions"]?["resourceVersion"] as JsonValue),
            DryRun = dryRun,
        };
    }
}
