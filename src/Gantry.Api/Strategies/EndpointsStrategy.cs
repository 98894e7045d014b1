using System.Net;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>core/v1 Endpoints: each subset has addresses with valid IPs and well-formed ports.</summary>
internal sealed class EndpointsStrategy(ResourceDefinition definition) : GenericStrategy(definition, tracksGeneration: false)
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var (_, subset) in JsonRead.Items(JsonRead.Arr(obj, "subsets")))
            foreach (var (_, port) in JsonRead.Items(JsonRead.Arr(subset, "ports")))
                JsonRead.DefaultString(port, "protocol", "TCP");
    }

    protected override void ValidateObject(JsonObject obj, List<FieldError> errors)
    {
        foreach (var (i, subset) in JsonRead.Items(JsonRead.Arr(obj, "subsets")))
        {
            var at = $"subsets[{i}]";
            var addresses = JsonRead.Arr(subset, "addresses");
            var notReady = JsonRead.Arr(subset, "notReadyAddresses");
            if ((addresses?.Count ?? 0) == 0 && (notReady?.Count ?? 0) == 0)
                errors.Add(FieldError.Required(at, "must specify `addresses` or `notReadyAddresses`"));
            foreach (var (list, items) in new[] { ("addresses", addresses), ("notReadyAddresses", notReady) })
                foreach (var (j, address) in JsonRead.Items(items))
                {
                    var ip = JsonRead.Str(address, "ip") ?? "";
                    if (!IsIp(ip)) errors.Add(FieldError.Invalid($"{at}.{list}[{j}].ip", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
                }
            var ports = JsonRead.Arr(subset, "ports");
            foreach (var (j, port) in JsonRead.Items(ports))
            {
                var portPath = $"{at}.ports[{j}]";
                var name = JsonRead.Str(port, "name") ?? "";
                if (ports!.Count > 1 && name.Length == 0) errors.Add(FieldError.Required(portPath + ".name"));
                else if (name.Length > 0) foreach (var message in NameFormats.Dns1123Label(name)) errors.Add(FieldError.Invalid(portPath + ".name", name, message));
                var number = JsonRead.Long(port, "port") ?? 0;
                foreach (var message in NameFormats.PortNumber(number)) errors.Add(FieldError.Invalid(portPath + ".port", number, message));
                var protocol = JsonRead.Str(port, "protocol") ?? "";
                if (protocol.Length == 0) errors.Add(FieldError.Required(portPath + ".protocol"));
                else if (!Protocols.Contains(protocol)) errors.Add(FieldError.NotSupported(portPath + ".protocol", protocol, Protocols));
            }
        }
    }

    private static bool IsIp(string value) =>
        IPAddress.TryParse(value, out _) && (value.Contains(':') || value.Count(c => c == '.') == 3);
}
