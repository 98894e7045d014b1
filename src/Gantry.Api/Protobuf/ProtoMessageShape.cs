namespace Gantry.Api.Protobuf;

/// <summary>
/// How a message appears in Kubernetes JSON: most are objects, but a few apimachinery types marshal
/// themselves to a scalar or to embedded JSON.
/// </summary>
internal enum ProtoMessageShape
{
    /// <summary>A JSON object with one member per field.</summary>
    Object,

    /// <summary>meta/v1 Time: RFC 3339 with second precision, or null when zero.</summary>
    Time,

    /// <summary>meta/v1 MicroTime: RFC 3339 with six fractional digits, or null when zero.</summary>
    MicroTime,

    /// <summary>resource.Quantity: its canonical string.</summary>
    Quantity,

    /// <summary>intstr.IntOrString: a number or a string.</summary>
    IntOrString,

    /// <summary>runtime.RawExtension and meta/v1 FieldsV1: bytes that hold an embedded object.</summary>
    RawObject,

    /// <summary>A Go named slice of strings wrapped in a message (ExtraValue, Verbs): a JSON array.</summary>
    StringList,
}
