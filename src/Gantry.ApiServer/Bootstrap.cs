using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.ApiServer.Objects;

namespace Gantry.ApiServer;

/// <summary>Objects every cluster has from its first start.</summary>
public static class Bootstrap
{
    /// <summary>The namespaces Kubernetes creates at start.</summary>
    public static readonly IReadOnlyList<string> Namespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>Creates the system namespaces that are missing.</summary>
    public static async Task EnsureNamespacesAsync(ResourceService service, ResourceRegistry registry, CancellationToken cancellationToken)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        foreach (var name in Namespaces)
        {
            try
            {
                var obj = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
                await service.CreateAsync(namespaces, null, obj, new WriteOptions { FieldManager = "gantry" }, cancellationToken);
            }
            catch (ApiException ex) when (ex.Code == 409)
            {
            }
        }
    }
}
