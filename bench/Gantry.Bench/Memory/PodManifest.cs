using System.Text;

namespace Gantry.Bench.Memory;

/// <summary>A realistic pod as a Deployment's ReplicaSet would create it: two containers, probes, env, mounts; about 2 KB of JSON as sent (more once the server adds defaults).</summary>
internal static class PodManifest
{
    public static byte[] Json(string ns, int index)
    {
        var name = $"web-7d9f8b6c5-{index:x6}";
        return Encoding.UTF8.GetBytes("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"@NAME@","namespace":"@NS@","generateName":"web-7d9f8b6c5-",
            "labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/instance":"web-prod","app.kubernetes.io/version":"2.14.1","pod-template-hash":"7d9f8b6c5","tier":"frontend"},
            "annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9090"},
            "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d9f8b6c5","uid":"6f1c2e0a-3b4d-4e5f-8a9b-@UID@","controller":true,"blockOwnerDeletion":true}]},
            "spec":{"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","schedulerName":"default-scheduler",
            "containers":[{"name":"web","image":"registry.example.com/shop/web:2.14.1","imagePullPolicy":"IfNotPresent",
            "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"}],
            "env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},
            {"name":"DATABASE_URL","valueFrom":{"secretKeyRef":{"name":"web-db","key":"url"}}},{"name":"CACHE_TTL_SECONDS","value":"300"}],
            "resources":{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"cpu":"1","memory":"512Mi"}},
            "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"periodSeconds":10,"timeoutSeconds":2,"failureThreshold":3},
            "readinessProbe":{"httpGet":{"path":"/ready","port":"http","scheme":"HTTP"},"periodSeconds":5,"timeoutSeconds":2,"failureThreshold":3},
            "volumeMounts":[{"name":"config","mountPath":"/etc/web","readOnly":true},{"name":"cache","mountPath":"/var/cache/web"}],
            "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"},
            {"name":"log-shipper","image":"registry.example.com/infra/fluent-bit:3.1.4","imagePullPolicy":"IfNotPresent",
            "volumeMounts":[{"name":"cache","mountPath":"/var/cache/web","readOnly":true}],
            "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
            "volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"cache","emptyDir":{"sizeLimit":"1Gi"}}],
            "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}}
            """.Replace("\n", "").Replace("@NAME@", name).Replace("@NS@", ns).Replace("@UID@", $"{index:x12}"));
    }
}
