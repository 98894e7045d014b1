using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>discovery.k8s.io EndpointSlices: a fixed address type, addresses per endpoint, port rules.</summary>
internal sealed class EndpointSliceStrategy(ResourceDefinition definition) : GenericStrategy(definition)
{
    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    // The generation follows every change of the slice, not just a spec (slices have none).
    protected override bool ChangesGeneration(JsonObject obj, JsonObject old) =>
        !JsonSemantics.Equal(obj["endpoints"], old["endpoints"]) || !JsonSemantics.Equal(obj["ports"], old["ports"]);

    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var (_, port) in JsonRead.Items(JsonRead.Arr(obj, "ports")))
        {
            JsonRead.Default(port, "name", "");
            JsonRead.DefaultString(port, "protocol", "TCP");
        }
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        var addressType = JsonRead.Str(obj, "addressType") ?? "";
        if (addressType.Length == 0) errors.Add(FieldError.Required("addressType"));
        else if (!AddressTypes.Contains(addressType)) errors.Add(FieldError.NotSupported("addressType", addressType, AddressTypes));
        var endpoints = JsonRead.Arr(obj, "endpoints");
        if (endpoints?.Count > 1000) errors.Add(FieldError.TooMany("endpoints", endpoints.Count, 1000));
        foreach (var (i, endpoint) in JsonRead.Items(endpoints))
        {
            var addresses = JsonRead.Arr(endpoint, "addresses");
            if (addresses is not { Count: > 0 }) errors.Add(FieldError.Required($"endpoints[{i}].addresses", "must contain at least 1 address"));
            else if (addresses.Count > 100) errors.Add(FieldError.TooMany($"endpoints[{i}].addresses", addresses.Count, 100));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (i, port) in JsonRead.Items(JsonRead.Arr(obj, "ports")))
        {
            var at = $"ports[{i}]";
            var name = JsonRead.Str(port, "name") ?? "";
            if (name.Length > 0) foreach (var message in NameFormats.Dns1123Label(name)) errors.Add(FieldError.Invalid(at + ".name", name, message));
            if (!names.Add(name)) errors.Add(FieldError.Duplicate(at + ".name", name));
            var protocol = JsonRead.Str(port, "protocol") ?? "";
            if (!Protocols.Contains(protocol)) errors.Add(FieldError.NotSupported(at + ".protocol", protocol, Protocols));
            if (JsonRead.Long(port, "port") is { } number)
                foreach (var message in NameFormats.PortNumber(number)) errors.Add(FieldError.Invalid(at + ".port", number, message));
        }
    }

    protected override void ValidateObjectUpdate(JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        ValidateObject(obj, errors);
        Immutable(JsonRead.Str(obj, "addressType"), JsonRead.Str(old, "addressType"), "addressType", errors);
    }
}
