using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Schema;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer.Handlers;

/// <summary>
/// Decoding rules of Kubernetes for incoming objects: wrong types are 400; unknown fields are dropped and, by the
/// fieldValidation parameter, ignored, warned about, or refused (Strict: 400 "strict decoding error").
/// </summary>
public static class SchemaGate
{
    /// <summary>
    /// Checks and prunes <paramref name="obj"/> in place; only the top-level <paramref name="members"/> when given (a
    /// patch result whose other members are the stored object's, which was checked when it was written).
    /// </summary>
    public static void Check(ResourceDefinition def, JsonObject obj, WriteOptions options, IReadOnlyCollection<string>? members = null)
    {
        var report = SchemaChecker.Check(obj, def.ApiVersion, def.Kind, members);
        if (report.TypeErrors.Count > 0)
            throw ApiException.BadRequest($"{def.Kind} in version \"{def.Version}\" cannot be handled as a {def.Kind}: {report.TypeErrors[0]}");
        if (report.UnknownFields.Count == 0) return;
        switch (options.FieldValidation)
        {
            case FieldValidation.Strict:
                var list = string.Join(", ", report.UnknownFields.Select(f => $"unknown field \"{f}\""));
                throw ApiException.BadRequest($"{def.Kind} in version \"{def.Version}\" cannot be handled as a {def.Kind}: strict decoding error: {list}");
            case FieldValidation.Warn:
                foreach (var f in report.UnknownFields) options.Warnings.Add($"unknown field \"{f}\"");
                break;
        }
    }
}
