namespace Gantry.Api.Schema;

/// <summary>
/// Field numbers of the gnostic <c>openapi.v2</c> messages (github.com/google/gnostic-models,
/// openapiv2/OpenAPIv2.proto) that <see cref="GnosticEncoder"/> writes. Read from the FileDescriptorProto embedded in
/// kubectl 1.28 and 1.32 (identical in both) with <c>tools/protobuf-facts/gnostic.py</c>; only the fields Gantry
/// fills are listed.
/// </summary>
internal static class GnosticFields
{
    /// <summary>openapi.v2.Document.</summary>
    public static class Document
    {
        public const int Swagger = 1, Info = 2, Consumes = 6, Produces = 7, Paths = 8, Definitions = 9, VendorExtension = 16;
    }

    /// <summary>openapi.v2.Info.</summary>
    public static class Info
    {
        public const int Title = 1, Version = 2, Description = 3, VendorExtension = 7;
    }

    /// <summary>openapi.v2.Paths (path: repeated NamedPathItem).</summary>
    public static class Paths
    {
        public const int VendorExtension = 1, Path = 2;
    }

    /// <summary>The Named* pair messages (NamedPathItem, NamedSchema, NamedResponseValue, NamedAny).</summary>
    public static class Named
    {
        public const int Name = 1, Value = 2;
    }

    /// <summary>openapi.v2.PathItem; the operations are numbered by HTTP method.</summary>
    public static class PathItem
    {
        public const int Get = 2, Put = 3, Post = 4, Delete = 5, Options = 6, Head = 7, Patch = 8, Parameters = 9, VendorExtension = 10;
    }

    /// <summary>openapi.v2.Operation.</summary>
    public static class Operation
    {
        public const int Tags = 1, Summary = 2, Description = 3, OperationId = 5, Produces = 6, Consumes = 7, Parameters = 8,
            Responses = 9, Schemes = 10, Deprecated = 11, VendorExtension = 13;
    }

    /// <summary>openapi.v2.ParametersItem (oneof), Parameter (oneof) and NonBodyParameter (oneof).</summary>
    public static class ParameterChoice
    {
        public const int ItemParameter = 1, BodyParameter = 1, NonBodyParameter = 2, QuerySubSchema = 3, PathSubSchema = 4;
    }

    /// <summary>openapi.v2.BodyParameter.</summary>
    public static class BodyParameter
    {
        public const int Description = 1, Name = 2, In = 3, Required = 4, Schema = 5, VendorExtension = 6;
    }

    /// <summary>openapi.v2.QueryParameterSubSchema.</summary>
    public static class QueryParameter
    {
        public const int Required = 1, In = 2, Description = 3, Name = 4, Type = 6, Format = 7, UniqueItems = 20, VendorExtension = 23;
    }

    /// <summary>openapi.v2.PathParameterSubSchema.</summary>
    public static class PathParameter
    {
        public const int Required = 1, In = 2, Description = 3, Name = 4, Type = 5, Format = 6, UniqueItems = 19, VendorExtension = 22;
    }

    /// <summary>openapi.v2.Responses (response_code: repeated NamedResponseValue).</summary>
    public static class Responses
    {
        public const int ResponseCode = 1, VendorExtension = 2;
    }

    /// <summary>openapi.v2.Response, with ResponseValue.response and SchemaItem.schema (both oneof alternative 1).</summary>
    public static class Response
    {
        public const int ValueResponse = 1, Description = 1, Schema = 2, SchemaItemSchema = 1, VendorExtension = 5;
    }

    /// <summary>openapi.v2.Schema.</summary>
    public static class Schema
    {
        public const int Ref = 1, Format = 2, Title = 3, Description = 4, Default = 5, UniqueItems = 16, Required = 19, Enum = 20,
            AdditionalProperties = 21, Type = 22, Items = 23, AllOf = 24, Properties = 25, VendorExtension = 31;
    }

    /// <summary>
    /// The single-field wrappers: TypeItem.value, ItemsItem.schema, Properties/Definitions.additional_properties,
    /// AdditionalPropertiesItem.schema (its boolean alternative is 2).
    /// </summary>
    public static class Wrapper
    {
        public const int Value = 1, AdditionalPropertiesBoolean = 2;
    }

    /// <summary>openapi.v2.Any: the value as YAML text (JSON is YAML).</summary>
    public static class Any
    {
        public const int Yaml = 2;
    }
}
