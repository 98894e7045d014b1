using System.Text.Json.Nodes;
using Gantry.Api.Validation;

namespace Gantry.Api.Strategies;

/// <summary>Kubernetes' core/v1 defaulting of pods and pod templates (SetDefaults_Pod, _PodSpec, _Container, _Probe, _Volume...).</summary>
internal static class PodDefaults
{
    private const int DefaultFileMode = 420; // 0644

    /// <summary>Defaults of a Pod object: the spec defaults plus those Kubernetes applies only to pods, not templates.</summary>
    public static void ApplyPod(JsonObject pod)
    {
        var spec = JsonRead.Child(pod, "spec");
        foreach (var list in new[] { "containers", "initContainers" })
            foreach (var (_, container) in JsonRead.Items(JsonRead.Arr(spec, list)))
                DefaultRequestsFromLimits(container);
        JsonRead.Default(spec, "enableServiceLinks", true);
        if (JsonRead.Bool(spec, "hostNetwork") == true)
            foreach (var list in new[] { "containers", "initContainers" })
                foreach (var (_, container) in JsonRead.Items(JsonRead.Arr(spec, list)))
                    foreach (var (_, port) in JsonRead.Items(JsonRead.Arr(container, "ports")))
                        if ((JsonRead.Long(port, "hostPort") ?? 0) == 0 && port["containerPort"] is { } containerPort)
                            port["hostPort"] = containerPort.DeepClone();
        ApplySpec(spec);
    }

    /// <summary>Defaults of a pod template (the template's spec), as inside workloads.</summary>
    public static void ApplyTemplate(JsonObject? template)
    {
        if (template is null) return;
        EmbeddedMetadata(template);
        ApplySpec(JsonRead.Child(template, "spec"));
    }

    /// <summary>
    /// Gives an embedded object's metadata (templates) the <c>creationTimestamp: null</c> that Kubernetes' JSON
    /// always writes for it, first as Go orders the fields.
    /// </summary>
    public static void EmbeddedMetadata(JsonObject holder)
    {
        var meta = JsonRead.Child(holder, "metadata");
        if (!meta.ContainsKey("creationTimestamp")) meta.Insert(0, "creationTimestamp", null);
    }

    /// <summary>SetDefaults_PodSpec and everything below it.</summary>
    public static void ApplySpec(JsonObject spec)
    {
        JsonRead.DefaultString(spec, "dnsPolicy", "ClusterFirst");
        JsonRead.DefaultString(spec, "restartPolicy", "Always");
        JsonRead.Default(spec, "securityContext", new JsonObject());
        JsonRead.Default(spec, "terminationGracePeriodSeconds", 30);
        JsonRead.DefaultString(spec, "schedulerName", "default-scheduler");
        // v1 keeps the deprecated serviceAccount in step with serviceAccountName (conversion does it in Kubernetes).
        if (string.IsNullOrEmpty(JsonRead.Str(spec, "serviceAccountName")) && JsonRead.Str(spec, "serviceAccount") is { Length: > 0 } account)
            spec["serviceAccountName"] = account;
        if (JsonRead.Str(spec, "serviceAccountName") is { Length: > 0 } name) spec["serviceAccount"] = name;
        foreach (var list in new[] { "containers", "initContainers", "ephemeralContainers" })
            foreach (var (_, container) in JsonRead.Items(JsonRead.Arr(spec, list)))
                ApplyContainer(container);
        foreach (var (_, volume) in JsonRead.Items(JsonRead.Arr(spec, "volumes")))
            ApplyVolume(volume);
    }

    private static void ApplyContainer(JsonObject container)
    {
        if (string.IsNullOrEmpty(JsonRead.Str(container, "imagePullPolicy")))
            container["imagePullPolicy"] = ImageTag(JsonRead.Str(container, "image") ?? "") == "latest" ? "Always" : "IfNotPresent";
        JsonRead.DefaultString(container, "terminationMessagePath", "/dev/termination-log");
        JsonRead.DefaultString(container, "terminationMessagePolicy", "File");
        foreach (var (_, port) in JsonRead.Items(JsonRead.Arr(container, "ports")))
            JsonRead.DefaultString(port, "protocol", "TCP");
        foreach (var (_, variable) in JsonRead.Items(JsonRead.Arr(container, "env")))
            if (JsonRead.Obj(JsonRead.Obj(variable, "valueFrom"), "fieldRef") is { } fieldRef)
                JsonRead.DefaultString(fieldRef, "apiVersion", "v1");
        foreach (var kind in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (JsonRead.Obj(container, kind) is not { } probe) continue;
            JsonRead.DefaultNonZero(probe, "timeoutSeconds", 1);
            JsonRead.DefaultNonZero(probe, "periodSeconds", 10);
            JsonRead.DefaultNonZero(probe, "successThreshold", 1);
            JsonRead.DefaultNonZero(probe, "failureThreshold", 3);
            ApplyHttpGet(probe);
        }
        if (JsonRead.Obj(container, "lifecycle") is { } lifecycle)
            foreach (var hook in new[] { "postStart", "preStop" })
                if (JsonRead.Obj(lifecycle, hook) is { } handler) ApplyHttpGet(handler);
    }

    private static void ApplyHttpGet(JsonObject handler)
    {
        if (JsonRead.Obj(handler, "httpGet") is not { } httpGet) return;
        JsonRead.DefaultString(httpGet, "path", "/");
        JsonRead.DefaultString(httpGet, "scheme", "HTTP");
    }

    private static void ApplyVolume(JsonObject volume)
    {
        if (volume.All(p => p.Key == "name" || p.Value is null)) volume["emptyDir"] = new JsonObject();
        foreach (var source in new[] { "secret", "configMap", "downwardAPI", "projected" })
            if (JsonRead.Obj(volume, source) is { } withMode) JsonRead.Default(withMode, "defaultMode", DefaultFileMode);
        if (JsonRead.Obj(volume, "hostPath") is { } hostPath) JsonRead.Default(hostPath, "type", "");
        if (JsonRead.Obj(volume, "downwardAPI") is { } downward) DefaultFieldRefs(downward);
        foreach (var (_, projection) in JsonRead.Items(JsonRead.Arr(JsonRead.Obj(volume, "projected"), "sources")))
        {
            if (JsonRead.Obj(projection, "downwardAPI") is { } projected) DefaultFieldRefs(projected);
            if (JsonRead.Obj(projection, "serviceAccountToken") is { } token) JsonRead.Default(token, "expirationSeconds", 3600);
        }
        if (JsonRead.Obj(JsonRead.Obj(JsonRead.Obj(volume, "ephemeral"), "volumeClaimTemplate"), "spec") is { } claimSpec)
            JsonRead.Default(claimSpec, "volumeMode", "Filesystem");
    }

    private static void DefaultFieldRefs(JsonObject downwardApi)
    {
        foreach (var (_, item) in JsonRead.Items(JsonRead.Arr(downwardApi, "items")))
            if (JsonRead.Obj(item, "fieldRef") is { } fieldRef) JsonRead.DefaultString(fieldRef, "apiVersion", "v1");
    }

    private static void DefaultRequestsFromLimits(JsonObject container)
    {
        if (JsonRead.Obj(container, "resources") is not { } resources || JsonRead.Obj(resources, "limits") is not { Count: > 0 } limits) return;
        var requests = JsonRead.Child(resources, "requests");
        foreach (var (name, value) in limits)
            if (!requests.ContainsKey(name)) requests[name] = value?.DeepClone();
    }

    /// <summary>The tag of an image reference as Kubernetes' ParseImageName sees it: "latest" when neither tag nor digest is given.</summary>
    public static string ImageTag(string image)
    {
        if (image.Length == 0) return "";
        var at = image.IndexOf('@');
        var hasDigest = at >= 0;
        var name = hasDigest ? image[..at] : image;
        var lastSlash = name.LastIndexOf('/');
        var colon = name.IndexOf(':', lastSlash + 1);
        if (colon >= 0) return name[(colon + 1)..];
        return hasDigest ? "" : "latest";
    }
}
