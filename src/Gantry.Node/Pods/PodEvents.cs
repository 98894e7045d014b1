using System.Collections.Concurrent;
using Gantry.Client.Events;
using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// The agent's events about pods, behind client-go's EventCorrelator spam filter: per pod a bucket of 25 events that
/// refills one event per 5 minutes, so a pod retrying in a tight loop cannot flood the API server.
/// </summary>
internal sealed class PodEvents(EventRecorder recorder, TimeProvider time)
{
    private const double Burst = 25;
    private static readonly TimeSpan RefillEvery = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>A Normal event about the pod.</summary>
    public void Normal(V1Pod pod, string reason, string message) => Record(pod, EventTypes.Normal, reason, message);

    /// <summary>A Warning event about the pod.</summary>
    public void Warning(V1Pod pod, string reason, string message) => Record(pod, EventTypes.Warning, reason, message);

    /// <summary>Forgets a removed pod's bucket.</summary>
    public void Forget(string podUid) => _buckets.TryRemove(podUid, out _);

    private void Record(V1Pod pod, string type, string reason, string message)
    {
        var bucket = _buckets.GetOrAdd(pod.Metadata.Uid, _ => new Bucket(time.GetUtcNow()));
        if (bucket.TryTake(time.GetUtcNow())) recorder.Record(pod, type, reason, message);
    }

    private sealed class Bucket(DateTimeOffset now)
    {
        private readonly Lock _lock = new();
        private double _tokens = Burst;
        private DateTimeOffset _last = now;

        public bool TryTake(DateTimeOffset now)
        {
            lock (_lock)
            {
                _tokens = Math.Min(Burst, _tokens + (now - _last) / RefillEvery);
                _last = now;
                if (_tokens < 1) return false;
                _tokens--;
                return true;
            }
        }
    }
}
