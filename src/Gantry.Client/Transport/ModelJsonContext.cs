using System.Text.Json.Serialization;
using k8s.Models;

namespace Gantry.Client.Transport;

/// <summary>
/// Serializer metadata generated at build time for the kinds Gantry's own components (controllers, scheduler, node agent)
/// read and write, and the types they reach. The package's own generated context covers its whole model: its type lookup
/// compares against every one of its ~1,200 types, so its first use loads them all; reflection instead emits two
/// accessor methods per property at run time (~3,000 in an idle server, ~4 MB). Kinds not listed here still work,
/// through reflection (see <see cref="KubernetesJsonOptions"/>).
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1Endpoints))]
[JsonSerializable(typeof(V1EndpointSlice))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1ServiceAccount))]
[JsonSerializable(typeof(V1PersistentVolume))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1StorageClass))]
[JsonSerializable(typeof(V1ReplicationController))]
[JsonSerializable(typeof(V1ReplicaSet))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1DaemonSet))]
[JsonSerializable(typeof(V1ControllerRevision))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1CronJob))]
[JsonSerializable(typeof(V1PodDisruptionBudget))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(V1Binding))]
[JsonSerializable(typeof(V1Eviction))]
[JsonSerializable(typeof(Authenticationv1TokenRequest))]
[JsonSerializable(typeof(V1Status))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
