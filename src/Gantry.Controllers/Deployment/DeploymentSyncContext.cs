using Gantry.Client;
using Gantry.Client.Events;
using Gantry.Client.Informers;
using k8s.Models;

namespace Gantry.Controllers.Deployment;

/// <summary>What one reconcile of a Deployment works with: the API, the caches, events, time and a way to requeue.</summary>
internal sealed class DeploymentSyncContext
{
    public required IApiClient Client { get; init; }
    public required Informer<V1ReplicaSet> ReplicaSets { get; init; }
    public required Informer<V1Pod> Pods { get; init; }
    public required EventRecorder Recorder { get; init; }
    public required TimeProvider Time { get; init; }
    public required Action<TimeSpan> RequeueAfter { get; init; }
}
