namespace Gantry.Api.Protobuf;

/// <summary>The protobuf type of a field, as the descriptor names it, plus <see cref="Map"/>.</summary>
internal enum ProtoFieldType
{
    Double,
    Float,
    Int64,
    UInt64,
    Int32,
    Fixed64,
    Fixed32,
    Bool,
    String,
    Bytes,
    UInt32,
    Enum,
    SFixed32,
    SFixed64,
    SInt32,
    SInt64,
    Message,
    Map,
}
