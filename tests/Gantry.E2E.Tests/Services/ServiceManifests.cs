namespace Gantry.E2E.Tests.Services;

/// <summary>The objects of the services walk-through: busybox httpd backends serving their own hostname, and a client.</summary>
internal static class ServiceManifests
{
    /// <summary>The port the load balancer answers on (on every node address, 127.0.0.1 here).</summary>
    public const int LoadBalancerPort = 18080;

    private const string Httpd = """["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]""";

    /// <summary>
    /// A Deployment of two ready backends, a pod with the same labels that never turns ready, and the Services over
    /// them: ClusterIP, NodePort, LoadBalancer, headless and ClientIP-affine.
    /// </summary>
    public static string Backends => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: backend}
        spec:
          replicas: 2
          selector: {matchLabels: {app: backend}}
          template:
            metadata: {labels: {app: backend}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: httpd
                image: {{{Harness.NodeCluster.Image}}}
                imagePullPolicy: Never
                command: {{{Httpd}}}
                ports: [{containerPort: 80, name: http}]
                readinessProbe: {httpGet: {path: /index.html, port: 80}, periodSeconds: 1}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: unready, labels: {app: backend}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: httpd
            image: {{{Harness.NodeCluster.Image}}}
            imagePullPolicy: Never
            command: {{{Httpd}}}
            ports: [{containerPort: 80, name: http}]
            readinessProbe: {exec: {command: ["false"]}, periodSeconds: 1}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend}
        spec:
          selector: {app: backend}
          ports: [{name: http, port: 80, targetPort: http}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend-nodeport}
        spec:
          type: NodePort
          selector: {app: backend}
          ports: [{port: 80, targetPort: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend-lb}
        spec:
          type: LoadBalancer
          selector: {app: backend}
          ports: [{port: {{{LoadBalancerPort}}}, targetPort: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend-headless}
        spec:
          clusterIP: None
          selector: {app: backend}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: backend-sticky}
        spec:
          selector: {app: backend}
          sessionAffinity: ClientIP
          ports: [{port: 80, targetPort: 80}]
        """;

    /// <summary>
    /// A client pod (created after the Services, so it gets their environment variables), and a pod with dnsPolicy
    /// Default, which gets the node's --resolv-conf.
    /// </summary>
    public static string Clients => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: host-dns}
        spec:
          terminationGracePeriodSeconds: 1
          dnsPolicy: Default
          containers:
          - name: main
            image: {{{Harness.NodeCluster.Image}}}
            imagePullPolicy: Never
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: {{{Harness.NodeCluster.Image}}}
            imagePullPolicy: Never
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        """;
}
