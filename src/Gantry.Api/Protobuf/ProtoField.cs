namespace Gantry.Api.Protobuf;

/// <summary>One field of a Kubernetes protobuf message, from fields.tsv.</summary>
internal sealed class ProtoField
{
    public ProtoField(int number, string jsonName, bool repeated, ProtoFieldType type, string typeName, bool pointer, bool inline)
    {
        Inline = inline;
        Number = number;
        JsonName = jsonName;
        Repeated = repeated;
        Type = type;
        TypeName = typeName;
        Pointer = pointer;
    }

    /// <summary>The field number on the wire.</summary>
    public int Number { get; }

    /// <summary>The member name in Kubernetes JSON.</summary>
    public string JsonName { get; }

    /// <summary>True for a list; maps are <see cref="ProtoFieldType.Map"/> and not repeated.</summary>
    public bool Repeated { get; }

    /// <summary>The protobuf type.</summary>
    public ProtoFieldType Type { get; }

    /// <summary>The fully-qualified message name for messages and maps (the map entry message), else empty.</summary>
    public string TypeName { get; }

    /// <summary>
    /// True when the Go field is a pointer: then it is on the wire only when set, so even a zero value is kept.
    /// A Go value field is always written by the gogo marshaller, so its zero value means "unset".
    /// </summary>
    public bool Pointer { get; }

    /// <summary>True for a Go struct embedded with <c>json:",inline"</c>: its fields belong to the enclosing JSON object.</summary>
    public bool Inline { get; }

    /// <summary>The message (or map entry) this field holds; set once the whole table is loaded.</summary>
    public ProtoMessage? Message { get; set; }

    /// <summary>True for scalar types that a packed repeated field may carry.</summary>
    public bool Packable => Type is not (ProtoFieldType.String or ProtoFieldType.Bytes or ProtoFieldType.Message or ProtoFieldType.Map);
}
