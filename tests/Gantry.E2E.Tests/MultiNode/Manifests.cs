namespace Gantry.E2E.Tests.MultiNode;

/// <summary>Manifests of the multi-node tests.</summary>
internal static class Manifests
{
    /// <summary>
    /// Tolerating an unreachable or not-ready node for 2 s instead of the default 300 s, so a killed machine's pods are
    /// evicted within the tests' time (DefaultTolerationSeconds admission leaves explicit tolerations alone).
    /// </summary>
    public const string ShortNodeTolerations = """
              tolerations:
              - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
              - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
        """;

    /// <summary>
    /// A Deployment of sleepers labelled app=<paramref name="name"/>, spread evenly over the schedulable nodes (the
    /// scoring alone would crowd an emptier node, such as one just restored).
    /// </summary>
    public static string Sleepers(string name, int replicas) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: {{{name}}}}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: {{{name}}}}}
          template:
            metadata: {labels: {app: {{{name}}}}}
            spec:
              terminationGracePeriodSeconds: 1
        {{{ShortNodeTolerations}}}
              topologySpreadConstraints:
              - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Honor, labelSelector: {matchLabels: {app: {{{name}}}} } }
              containers:
              - name: main
                image: {{{NetnsCluster.Image}}}
                imagePullPolicy: Never
                command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        """;

    /// <summary>A pod bound straight to <paramref name="nodeName"/> that prints a line, then sleeps.</summary>
    public static string GreeterOn(string name, string nodeName) => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{{name}}}}
        spec:
          nodeName: {{{nodeName}}}
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: {{{NetnsCluster.Image}}}
            imagePullPolicy: Never
            command: ["sh", "-c", "echo hello from {{{name}}}; trap 'exit 0' TERM; while true; do sleep 1; done"]
        """;
}
