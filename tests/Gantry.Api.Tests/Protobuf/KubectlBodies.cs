namespace Gantry.Api.Tests.Protobuf;

/// <summary>
/// Request bodies captured from the real kubectl 1.32 (tools/protobuf-facts/capture.py serves it a fake API on
/// 127.0.0.1 and saves what it POSTs), base64-encoded. Each comment is the command that sent the body.
/// </summary>
internal static class KubectlBodies
{
    // kubectl create namespace demo
    public static byte[] Namespace => Convert.FromBase64String("azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhwKFAoEZGVtbxIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==");

    // kubectl create configmap app-config --from-literal=mode=prod --from-literal=empty= -n default
    public static byte[] ConfigMap => Convert.FromBase64String("azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjwKIQoKYXBwLWNvbmZpZxIAGgdkZWZhdWx0IgAqADIAOABCABIJCgVlbXB0eRIAEgwKBG1vZGUSBHByb2QaACIA");

    // kubectl create secret generic creds --from-literal=password='s3cr3t!' -n default
    public static byte[] Secret => Convert.FromBase64String("azhzAAoMCgJ2MRIGU2VjcmV0EjUKHAoFY3JlZHMSABoHZGVmYXVsdCIAKgAyADgAQgASEwoIcGFzc3dvcmQSB3MzY3IzdCEaABoAIgA=");

    // kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=8080 -n default
    public static byte[] Deployment => Convert.FromBase64String("azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsUBCiYKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA3dlYhKMAQgDEgwKCgoDYXBwEgN3ZWIacgocCgASABoAIgAqADIAOABCAFoKCgNhcHASA3dlYhJSEjQKBW5naW54EgpuZ2lueDoxLjI3KgAyCwoAEAAYkD8iACoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA");

    // kubectl create deployment zero --image=busybox --replicas=0 -n default -- sleep 3600
    public static byte[] DeploymentWithZeroReplicas => Convert.FromBase64String("azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsgBCigKBHplcm8SABoHZGVmYXVsdCIAKgAyADgAQgBaCwoDYXBwEgR6ZXJvEo0BCAASDQoLCgNhcHASBHplcm8acgodCgASABoAIgAqADIAOABCAFoLCgNhcHASBHplcm8SURIzCgdidXN5Ym94EgdidXN5Ym94GgVzbGVlcBoEMzYwMCoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA");

    // kubectl create job once --image=busybox -n default -- echo hi
    public static byte[] Job => Convert.FromBase64String("azhzAAoPCghiYXRjaC92MRIDSm9iEo8BChsKBG9uY2USABoHZGVmYXVsdCIAKgAyADgAQgASZjJkChAKABIAGgAiACoAMgA4AEIAElASLQoEb25jZRIHYnVzeWJveBoEZWNobxoCaGkqAEIAagByAIABAIgBAJABAKIBABoFTmV2ZXIyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoIIAAoADAAOgAaACIA");

    // kubectl create cronjob nightly --image=busybox --schedule='*/5 * * * *' -n default -- date
    public static byte[] CronJob => Convert.FromBase64String("azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhK7AQoeCgduaWdodGx5EgAaB2RlZmF1bHQiACoAMgA4AEIAEpYBCgsqLzUgKiAqICogKhoAKoQBChcKB25pZ2h0bHkSABoAIgAqADIAOABCABJpMmcKEAoAEgAaACIAKgAyADgAQgASUxIsCgduaWdodGx5EgdidXN5Ym94GgRkYXRlKgBCAGoAcgCAAQCIAQCQAQCiAQAaCU9uRmFpbHVyZTIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgAaACIA");

    // kubectl create service clusterip web --tcp=80:8080 -n default
    public static byte[] Service => Convert.FromBase64String("azhzAAoNCgJ2MRIHU2VydmljZRJwCiYKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA3dlYhJCChsKBzgwLTgwODASA1RDUBhQIgcIABCQPxoAKAASCgoDYXBwEgN3ZWIaACIJQ2x1c3RlcklQOgBCAFIAWgBgAGgAGgIKABoAIgA=");

    // kubectl create service nodeport np --tcp=443:https --node-port=30443 -n default
    public static byte[] NodePortService => Convert.FromBase64String("azhzAAoNCgJ2MRIHU2VydmljZRJ1CiQKAm5wEgAaB2RlZmF1bHQiACoAMgA4AEIAWgkKA2FwcBICbnASSQokCgk0NDMtaHR0cHMSA1RDUBi7AyILCAEQABoFaHR0cHMo6+0BEgkKA2FwcBICbnAaACIITm9kZVBvcnQ6AEIAUgBaAGAAaAAaAgoAGgAiAA==");

    // kubectl create serviceaccount builder -n default
    public static byte[] ServiceAccount => Convert.FromBase64String("azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSIAoeCgdidWlsZGVyEgAaB2RlZmF1bHQiACoAMgA4AEIAGgAiAA==");

    // kubectl create quota compute --hard=cpu=2,memory=1Gi,pods=10 -n default
    public static byte[] ResourceQuota => Convert.FromBase64String("azhzAAoTCgJ2MRINUmVzb3VyY2VRdW90YRJPCh4KB2NvbXB1dGUSABoHZGVmYXVsdCIAKgAyADgAQgASKwoKCgNjcHUSAwoBMgoPCgZtZW1vcnkSBQoDMUdpCgwKBHBvZHMSBAoCMTAaABoAIgA=");

    // kubectl create role reader --verb=get,list --resource=pods,configmaps -n default
    public static byte[] Role => Convert.FromBase64String("azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEkAKHQoGcmVhZGVyEgAaB2RlZmF1bHQiACoAMgA4AEIAEh8KA2dldAoEbGlzdBIAGgRwb2RzGgpjb25maWdtYXBzGgAiAA==");

    // kubectl create rolebinding reader-binding --role=reader --serviceaccount=default:builder -n default
    public static byte[] RoleBinding => Convert.FromBase64String("azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxJ4CiUKDnJlYWRlci1iaW5kaW5nEgAaB2RlZmF1bHQiACoAMgA4AEIAEiQKDlNlcnZpY2VBY2NvdW50EgAaB2J1aWxkZXIiB2RlZmF1bHQaKQoZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxIEUm9sZRoGcmVhZGVyGgAiAA==");

    // kubectl create clusterrole nodes --verb=get --resource=nodes
    public static byte[] ClusterRole => Convert.FromBase64String("azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRInChUKBW5vZGVzEgAaACIAKgAyADgAQgASDgoDZ2V0EgAaBW5vZGVzGgAiAA==");

    // kubectl create clusterrolebinding nodes-binding --clusterrole=nodes --user=alice
    public static byte[] ClusterRoleBinding => Convert.FromBase64String("azhzAAoyChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEhJDbHVzdGVyUm9sZUJpbmRpbmcSfAodCg1ub2Rlcy1iaW5kaW5nEgAaACIAKgAyADgAQgASKgoEVXNlchIZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxoFYWxpY2UiABovChlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvEgtDbHVzdGVyUm9sZRoFbm9kZXMaACIA");

    // kubectl create priorityclass high --value=1000 --description="important" --preemption-policy=Never
    public static byte[] PriorityClass => Convert.FromBase64String("azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxItChQKBGhpZ2gSABoAIgAqADIAOABCABDoBxgAIglpbXBvcnRhbnQqBU5ldmVyGgAiAA==");

    // kubectl create pdb web-pdb --selector=app=web --min-available=50% -n default
    public static byte[] PodDisruptionBudget => Convert.FromBase64String("azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSRwoeCgd3ZWItcGRiEgAaB2RlZmF1bHQiACoAMgA4AEIAEhkKCQgBEAAaAzUwJRIMCgoKA2FwcBIDd2ViGgoIABgAIAAoADAAGgAiAA==");

    // kubectl create token builder --duration=1h -n default
    public static byte[] TokenRequest => Convert.FromBase64String("azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIdChAKABIAGgAiACoAMgA4AEIAEgMgkBwaBAoAEgAaACIA");

    // kubectl auth can-i create deployments -n default
    public static byte[] SelfSubjectAccessReview => Convert.FromBase64String("azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSSgoQCgASABoAIgAqADIAOABCABIsCioKB2RlZmF1bHQSBmNyZWF0ZRoEYXBwcyIAKgtkZXBsb3ltZW50czIAOgAaCAgAEgAaACAAGgAiAA==");

    // kubectl drain node-1 --grace-period=30 (a server without pods/eviction: DELETE of the pod)
    public static byte[] DeleteOptions => Convert.FromBase64String("azhzAAoTCgJ2MRINRGVsZXRlT3B0aW9ucxICCB4aACIA");

    // kubectl create configmap blobs --from-file=blob.bin -n default (blob.bin holds 00 01 02 ff "binary")
    public static byte[] ConfigMapFromBinaryFile => Convert.FromBase64String("azhzAAoPCgJ2MRIJQ29uZmlnTWFwEjYKHAoFYmxvYnMSABoHZGVmYXVsdCIAKgAyADgAQgAaFgoIYmxvYi5iaW4SCgABAv9iaW5hcnkaACIA");

    // kubectl create ingress web --rule=example.com/api*=web:8080 --class=nginx -n default
    public static byte[] Ingress => Convert.FromBase64String("azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxJcChoKA3dlYhIAGgdkZWZhdWx0IgAqADIAOABCABI6GjEKC2V4YW1wbGUuY29tEiIKIAoeCgQvYXBpEg4iDAoDd2ViEgUKABCQPxoGUHJlZml4IgVuZ2lueBoCCgAaACIA");

    // kubectl create pdb maxu --selector=app=web --max-unavailable=1 -n default
    public static byte[] PodDisruptionBudgetWithMaxUnavailable => Convert.FromBase64String("azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSQQobCgRtYXh1EgAaB2RlZmF1bHQiACoAMgA4AEIAEhYSDAoKCgNhcHASA3dlYhoGCAAQARoAGgoIABgAIAAoADAAGgAiAA==");

    // kubectl create service externalname ext --external-name=db.example.com -n default
    public static byte[] ExternalNameService => Convert.FromBase64String("azhzAAoNCgJ2MRIHU2VydmljZRJkCiYKA2V4dBIAGgdkZWZhdWx0IgAqADIAOABCAFoKCgNhcHASA2V4dBI2EgoKA2FwcBIDZXh0GgAiDEV4dGVybmFsTmFtZToAQgBSDmRiLmV4YW1wbGUuY29tWgBgAGgAGgIKABoAIgA=");

    // kubectl create secret docker-registry regcred --docker-server=r.example.com --docker-username=u --docker-password=p -n default
    public static byte[] DockerRegistrySecret => Convert.FromBase64String("azhzAAoMCgJ2MRIGU2VjcmV0EqABCh4KB3JlZ2NyZWQSABoHZGVmYXVsdCIAKgAyADgAQgASXgoRLmRvY2tlcmNvbmZpZ2pzb24SSXsiYXV0aHMiOnsici5leGFtcGxlLmNvbSI6eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAiLCJhdXRoIjoiZFRwdyJ9fX0aHmt1YmVybmV0ZXMuaW8vZG9ja2VyY29uZmlnanNvbhoAIgA=");
}
