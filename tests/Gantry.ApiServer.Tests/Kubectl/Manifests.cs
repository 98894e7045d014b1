namespace Gantry.ApiServer.Tests.Kubectl;

/// <summary>Manifests the kubectl tests apply.</summary>
internal static class Manifests
{
    public static string Deployment(string name, int replicas = 2, string image = "nginx:1", string extraEnv = "") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          labels: {"{"}app: {name}{"}"}
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {"{"}app: {name}{"}"}
          template:
            metadata:
              labels: {"{"}app: {name}{"}"}
            spec:
              containers:
              - name: app
                image: {image}
        {extraEnv}
        """;

    public static string ConfigMap(string name, string data = "a: \"1\"") => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          labels: {"{"}tier: cache{"}"}
        data:
          {data}
        """;
}
