namespace Gantry.Api.Errors;

/// <summary>The kinds of field error Kubernetes reports (k8s.io/apimachinery/pkg/util/validation/field).</summary>
public enum FieldErrorType
{
    /// <summary>"FieldValueRequired": "Required value".</summary>
    Required,
    /// <summary>"FieldValueInvalid": "Invalid value".</summary>
    Invalid,
    /// <summary>"FieldValueDuplicate": "Duplicate value".</summary>
    Duplicate,
    /// <summary>"FieldValueNotSupported": "Unsupported value".</summary>
    NotSupported,
    /// <summary>"FieldValueForbidden": "Forbidden".</summary>
    Forbidden,
    /// <summary>"FieldValueTooLong": "Too long".</summary>
    TooLong,
    /// <summary>"FieldValueTooMany": "Too many".</summary>
    TooMany,
    /// <summary>"FieldValueNotFound": "Not found".</summary>
    NotFound,
}

/// <summary>One invalid field, rendered as a Status cause and in the 422 message like Kubernetes does.</summary>
/// <param name="Type">What is wrong.</param>
/// <param name="Field">The field path, e.g. <c>spec.containers[0].name</c>.</param>
/// <param name="BadValue">The offending value as text, or null when the error has none (Required, Forbidden).</param>
/// <param name="Detail">Extra explanation.</param>
public sealed record FieldError(FieldErrorType Type, string Field, string? BadValue, string? Detail)
{
    /// <summary>The Status cause reason, e.g. FieldValueInvalid.</summary>
    public string Reason => "FieldValue" + Type;

    /// <summary>
    /// True when <see cref="BadValue"/> is already rendered the way Go prints a non-string value (a number, a map,
    /// a struct), so it is shown without quotes.
    /// </summary>
    public bool ValueIsRaw { get; init; }

    /// <summary>Builds a Required error.</summary>
    public static FieldError Required(string field, string? detail = null) => new(FieldErrorType.Required, field, null, detail);

    /// <summary>Builds an Invalid error.</summary>
    public static FieldError Invalid(string field, string? value, string detail) => new(FieldErrorType.Invalid, field, value, detail);

    /// <summary>Builds an Invalid error for a number (printed without quotes, as Kubernetes does).</summary>
    public static FieldError Invalid(string field, long value, string detail) =>
        new(FieldErrorType.Invalid, field, value.ToString(System.Globalization.CultureInfo.InvariantCulture), detail) { ValueIsRaw = true };

    /// <summary>Builds an Invalid error whose value is already rendered (Go syntax for maps and structs, "null").</summary>
    public static FieldError InvalidRaw(string field, string rendered, string detail) =>
        new(FieldErrorType.Invalid, field, rendered, detail) { ValueIsRaw = true };

    /// <summary>Builds a NotFound error.</summary>
    public static FieldError NotFound(string field, string? value) => new(FieldErrorType.NotFound, field, value, null);

    /// <summary>Builds a TooMany error for a list longer than allowed.</summary>
    public static FieldError TooMany(string field, int actual, int max) =>
        new(FieldErrorType.TooMany, field, actual.ToString(System.Globalization.CultureInfo.InvariantCulture), $"must have at most {max} items") { ValueIsRaw = true };

    /// <summary>Builds a Duplicate error.</summary>
    public static FieldError Duplicate(string field, string? value) => new(FieldErrorType.Duplicate, field, value, null);

    /// <summary>Builds a NotSupported error listing the accepted values.</summary>
    public static FieldError NotSupported(string field, string? value, IEnumerable<string> valid) =>
        new(FieldErrorType.NotSupported, field, value, "supported values: " + string.Join(", ", valid.Select(v => $"\"{v}\"")));

    /// <summary>Builds a Forbidden error.</summary>
    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, null, detail);

    /// <summary>Builds a TooLong error.</summary>
    public static FieldError TooLong(string field, int max) => new(FieldErrorType.TooLong, field, null, $"must have at most {max} bytes");

    /// <summary>The message as Kubernetes prints it: <c>spec.x: Invalid value: "v": detail</c>.</summary>
    public string Message
    {
        get
        {
            var head = Type switch
            {
                FieldErrorType.Required => "Required value",
                FieldErrorType.Invalid => "Invalid value",
                FieldErrorType.Duplicate => "Duplicate value",
                FieldErrorType.NotSupported => "Unsupported value",
                FieldErrorType.Forbidden => "Forbidden",
                FieldErrorType.TooLong => "Too long",
                FieldErrorType.TooMany => "Too many",
                FieldErrorType.NotFound => "Not found",
                _ => "Invalid value",
            };
            var value = BadValue is null || Type is FieldErrorType.Required or FieldErrorType.Forbidden or FieldErrorType.TooLong
                ? "" : ValueIsRaw ? $": {BadValue}" : $": {Validation.GoValue.Quote(BadValue)}";
            var detail = string.IsNullOrEmpty(Detail) ? "" : ": " + Detail;
            return $"{head}{value}{detail}";
        }
    }
}
