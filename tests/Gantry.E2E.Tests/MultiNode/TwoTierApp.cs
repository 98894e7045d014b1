using System.Text.Json.Nodes;
using Gantry.Testing.Processes;

namespace Gantry.E2E.Tests.MultiNode;

/// <summary>
/// The acceptance app: a database-like backend (one httpd on 5432 answering "backend &lt;pod&gt;") behind a ClusterIP
/// Service "backend", and a frontend Deployment (httpd on 8080 answering its pod name, ready while /www/healthz exists)
/// spread one per node, behind the NodePort Service "frontend".
/// </summary>
internal sealed class TwoTierApp(Kubectl kubectl, string ns)
{
    public string Namespace => ns;

    /// <summary>Deploys the app with <paramref name="frontends"/> frontend replicas and waits for both rollouts.</summary>
    public static async Task<TwoTierApp> DeployAsync(Kubectl kubectl, int frontends)
    {
        var app = new TwoTierApp(kubectl, await kubectl.NewNamespaceAsync("tier"));
        await kubectl.ApplyAsync(ns: app.Namespace, Manifest(frontends));
        await app.RolloutAsync("backend");
        await app.RolloutAsync("frontend");
        return app;
    }

    /// <summary>Waits for a Deployment's rollout.</summary>
    public async Task RolloutAsync(string deployment) =>
        (await kubectl.RunAsync(["rollout", "status", "-n", ns, $"deployment/{deployment}", "--timeout=150s"], timeout: TimeSpan.FromMinutes(3))).Ok();

    /// <summary>The frontend's allocated node port.</summary>
    public async Task<int> NodePortAsync() => int.Parse(await kubectl.JsonPathAsync(ns, "service/frontend", "{.spec.ports[0].nodePort}"));

    /// <summary>The pods of one tier (app=backend or app=frontend), terminating ones included.</summary>
    public async Task<List<JsonNode>> PodsAsync(string tier) =>
        JsonNode.Parse((await kubectl.RunAsync(["get", "pods", "-n", ns, "-l", $"app={tier}", "-o", "json"])).Ok())!["items"]!.AsArray().Select(p => p!).ToList();

    /// <summary>The ready, not terminating pods of one tier.</summary>
    public async Task<List<JsonNode>> ServingPodsAsync(string tier) =>
        (await PodsAsync(tier)).Where(p => p["metadata"]!["deletionTimestamp"] is null && Pods.IsRunningAndReady(p)).ToList();

    public Task DeleteAsync() => kubectl.RunAsync(["delete", "namespace", ns, "--wait=false"]);

    private static string Manifest(int frontends) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: backend}
        spec:
          replicas: 1
          selector: {matchLabels: {app: backend}}
          template:
            metadata: {labels: {app: backend}}
            spec:
              terminationGracePeriodSeconds: 1
        {{{Manifests.ShortNodeTolerations}}}
              containers:
              - name: db
                image: {{{NetnsCluster.Image}}}
                imagePullPolicy: Never
                env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name} } }]
                command: ["sh", "-c", "mkdir -p /db && echo backend $POD_NAME > /db/index.html && exec httpd -f -p 5432 -h /db"]
                ports: [{containerPort: 5432}]
                readinessProbe: {tcpSocket: {port: 5432}, periodSeconds: 1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend}
        spec:
          selector: {app: backend}
          ports: [{port: 5432, targetPort: 5432}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: frontend}
        spec:
          replicas: {{{frontends}}}
          selector: {matchLabels: {app: frontend}}
          template:
            metadata: {labels: {app: frontend}}
            spec:
              terminationGracePeriodSeconds: 1
        {{{Manifests.ShortNodeTolerations}}}
              topologySpreadConstraints:
              - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Honor, labelSelector: {matchLabels: {app: frontend} } }
              containers:
              - name: web
                image: {{{NetnsCluster.Image}}}
                imagePullPolicy: Never
                env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name} } }]
                command: ["sh", "-c", "mkdir -p /www && echo $POD_NAME > /www/index.html && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"]
                ports: [{containerPort: 8080}]
                readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1, failureThreshold: 1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: frontend}
        spec:
          type: NodePort
          selector: {app: frontend}
          ports: [{port: 80, targetPort: 8080}]
        """;
}
