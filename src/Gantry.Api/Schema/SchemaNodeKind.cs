namespace Gantry.Api.Schema;

/// <summary>What JSON a schema node accepts.</summary>
internal enum SchemaNodeKind
{
    /// <summary>A Go struct: known fields only.</summary>
    Object,
    /// <summary>A Go slice.</summary>
    Array,
    /// <summary>A Go map with string keys.</summary>
    Map,
    /// <summary>A string.</summary>
    String,
    /// <summary>An int32.</summary>
    Int32,
    /// <summary>An int64.</summary>
    Int64,
    /// <summary>A float64.</summary>
    Number,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>intstr.IntOrString: an integer or a string.</summary>
    IntOrString,
    /// <summary>resource.Quantity: a string in quantity syntax or a number.</summary>
    Quantity,
    /// <summary>metav1.Time / MicroTime: an RFC 3339 string.</summary>
    Time,
    /// <summary>[]byte: a base64 string.</summary>
    Bytes,
    /// <summary>runtime.RawExtension / FieldsV1: any JSON, kept as is.</summary>
    Any,
}
