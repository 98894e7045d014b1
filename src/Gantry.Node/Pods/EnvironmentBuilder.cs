using System.Globalization;
using System.Text;
using Gantry.Client;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// A container's environment as the kubelet's makeEnvironmentVariables builds it: envFrom first, then env in order,
/// each value $(VAR)-expanded against the variables defined before it; configMap/secret/field/resource references
/// resolved, with the kubelet's messages for missing ones.
/// </summary>
internal sealed class EnvironmentBuilder(IApiClient client)
{
    /// <summary>
    /// The variables for <paramref name="container"/>: service links, then envFrom and env in definition order (a
    /// redefinition keeps the first position).
    /// </summary>
    public async Task<List<KeyValuePair<string, string>>> BuildAsync(V1Pod pod, V1Container container, PodContext context, CancellationToken cancellationToken)
    {
        // Service variables come first, so the pod's own definitions override them and may refer to them.
        var env = await ServiceEnvironment.BuildAsync(client, pod, cancellationToken).ConfigureAwait(false);
        void Set(string name, string value)
        {
            var index = env.FindIndex(e => e.Key == name);
            if (index >= 0) env[index] = new(name, value);
            else env.Add(new(name, value));
        }
        var ns = pod.Metadata.NamespaceProperty;
        foreach (var source in container.EnvFrom ?? [])
        {
            var prefix = source.Prefix ?? "";
            if (source.ConfigMapRef is { } cmRef)
            {
                var map = await client.For<V1ConfigMap>().GetAsync(ns, cmRef.Name, cancellationToken).ConfigureAwait(false);
                if (map is null)
                {
                    if (cmRef.Optional == true) continue;
                    throw new ContainerConfigException($"configmap \"{cmRef.Name}\" not found");
                }
                foreach (var (key, value) in map.Data ?? new Dictionary<string, string>()) Set(prefix + key, value);
            }
            else if (source.SecretRef is { } secretRef)
            {
                var secret = await client.For<V1Secret>().GetAsync(ns, secretRef.Name, cancellationToken).ConfigureAwait(false);
                if (secret is null)
                {
                    if (secretRef.Optional == true) continue;
                    throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
                }
                foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>()) Set(prefix + key, Encoding.UTF8.GetString(value));
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            string? value;
            if (variable.ValueFrom is null)
            {
                value = Expansion.Expand(variable.Value ?? "", name => env.FindLast(e => e.Key == name) is { Key: not null } e ? e.Value : null);
            }
            else
            {
                value = await ResolveAsync(pod, container, variable.ValueFrom, context, cancellationToken).ConfigureAwait(false);
                if (value is null) continue;
            }
            Set(variable.Name, value);
        }
        return env;
    }

    private async Task<string?> ResolveAsync(V1Pod pod, V1Container container, V1EnvVarSource source, PodContext context, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty;
        if (source.ConfigMapKeyRef is { } cmKey)
        {
            var map = await client.For<V1ConfigMap>().GetAsync(ns, cmKey.Name, cancellationToken).ConfigureAwait(false);
            if (map is null)
                return cmKey.Optional == true ? null : throw new ContainerConfigException($"configmap \"{cmKey.Name}\" not found");
            if (map.Data?.TryGetValue(cmKey.Key, out var value) == true) return value;
            if (map.BinaryData?.TryGetValue(cmKey.Key, out var binary) == true) return Encoding.UTF8.GetString(binary);
            return cmKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}");
        }
        if (source.SecretKeyRef is { } secretKey)
        {
            var secret = await client.For<V1Secret>().GetAsync(ns, secretKey.Name, cancellationToken).ConfigureAwait(false);
            if (secret is null)
                return secretKey.Optional == true ? null : throw new ContainerConfigException($"secret \"{secretKey.Name}\" not found");
            if (secret.Data?.TryGetValue(secretKey.Key, out var value) == true) return Encoding.UTF8.GetString(value);
            return secretKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
        }
        if (source.FieldRef is { } field) return FieldValue(pod, field.FieldPath, context);
        if (source.ResourceFieldRef is { } resource) return ResourceValue(pod, container, resource, context);
        return null;
    }

    // podFieldSelectorRuntimeValue: the fields the API server accepts in env fieldRefs.
    private static string FieldValue(V1Pod pod, string path, PodContext context)
    {
        switch (path)
        {
            case "metadata.name": return pod.Metadata.Name;
            case "metadata.namespace": return pod.Metadata.NamespaceProperty;
            case "metadata.uid": return pod.Metadata.Uid;
            case "spec.nodeName": return pod.Spec.NodeName ?? "";
            case "spec.serviceAccountName": return pod.Spec.ServiceAccountName ?? "";
            case "status.hostIP": return context.NodeIp;
            case "status.hostIPs": return context.NodeIp;
            case "status.podIP": return context.PodIps.FirstOrDefault() ?? "";
            case "status.podIPs": return string.Join(',', context.PodIps);
        }
        if (TrySubscript(path, "metadata.labels", out var label)) return pod.Metadata.Labels?.TryGetValue(label, out var v) == true ? v : "";
        if (TrySubscript(path, "metadata.annotations", out var annotation))
            return pod.Metadata.Annotations?.TryGetValue(annotation, out var v) == true ? v : "";
        throw new ContainerConfigException($"unsupported fieldRef {path}");
    }

    private static bool TrySubscript(string path, string field, out string key)
    {
        key = "";
        if (!path.StartsWith(field + "['", StringComparison.Ordinal) || !path.EndsWith("']", StringComparison.Ordinal)) return false;
        key = path[(field.Length + 2)..^2];
        return true;
    }

    // ExtractContainerResourceValue, with missing limits defaulted to the node's allocatable as the kubelet does.
    private static string ResourceValue(V1Pod pod, V1Container self, V1ResourceFieldSelector selector, PodContext context)
    {
        var container = string.IsNullOrEmpty(selector.ContainerName) ? self
            : pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == selector.ContainerName)
              ?? throw new ContainerConfigException($"container {selector.ContainerName} not found");
        var parts = selector.Resource.Split('.', 2);
        if (parts.Length != 2) throw new ContainerConfigException($"unsupported container resource : {selector.Resource}");
        var (kind, resource) = (parts[0], parts[1]);
        var values = kind == "limits" ? container.Resources?.Limits : container.Resources?.Requests;
        decimal value;
        if (values?.TryGetValue(resource, out var q) == true) value = q.ToDecimal();
        else if (kind == "limits" || (kind == "requests" && container.Resources?.Limits?.TryGetValue(resource, out _) == true))
            value = kind == "requests" ? container.Resources!.Limits![resource].ToDecimal() : context.Allocatable(resource);
        else value = 0;
        var divisor = selector.Divisor?.ToDecimal() is { } d && d != 0 ? d : 1;
        return ((long)Math.Ceiling(value / divisor)).ToString(CultureInfo.InvariantCulture);
    }
}
