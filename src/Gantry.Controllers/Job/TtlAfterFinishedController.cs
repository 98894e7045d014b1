using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;

namespace Gantry.Controllers.Job;

/// <summary>
/// Deletes finished Jobs whose spec.ttlSecondsAfterFinished has passed since they finished (Kubernetes'
/// ttl-after-finished controller), with Background propagation so that the garbage collector removes their pods.
/// </summary>
public sealed class TtlAfterFinishedController : IController
{
    private readonly ControllerContext _context;
    private readonly Informer<V1Job> _jobs;
    private readonly IResourceClient<V1Job> _client;
    private readonly RateLimitingQueue<string> _queue;

    /// <summary>Registers the job informer of <paramref name="context"/>.</summary>
    public TtlAfterFinishedController(ControllerContext context)
    {
        _context = context;
        _client = context.Client.For<V1Job>();
        _queue = new RateLimitingQueue<string>(null, context.Time);
        _jobs = context.Informers.For<V1Job>();
        _jobs.AddEventHandler(onAdd: Enqueue, onUpdate: (_, j) => Enqueue(j));
    }

    /// <inheritdoc />
    public string Name => "ttl-after-finished-controller";

    /// <inheritdoc />
    public Task RunAsync(CancellationToken cancellationToken) =>
        new ControllerRunner<string>(Name, _queue, ReconcileAsync, _context.Loggers).RunAsync(_context.Options.Workers, cancellationToken);

    private void Enqueue(V1Job job)
    {
        if (NeedsCleanup(job)) _queue.Add(ObjectKey.Of(job));
    }

    /// <summary>A TTL, not being deleted, and finished at a known time.</summary>
    private static bool NeedsCleanup(V1Job job) =>
        job.Spec.TtlSecondsAfterFinished is not null && job.Metadata.DeletionTimestamp is null && JobConditions.FinishTime(job) is not null;

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        if (_jobs.Get(ns, name) is not { } cached || !NeedsCleanup(cached)) return;
        if (Remaining(cached) is var wait && wait > TimeSpan.Zero)
        {
            _queue.AddAfter(key, wait);
            return;
        }
        // The cache may lag a user who just raised the TTL: decide on a fresh read, and delete only that version.
        if (await _client.GetAsync(ns, name, cancellationToken) is not { } fresh || !NeedsCleanup(fresh)) return;
        if (Remaining(fresh) is var freshWait && freshWait > TimeSpan.Zero)
        {
            _queue.AddAfter(key, freshWait);
            return;
        }
        try
        {
            await _client.DeleteAsync(ns, name, new DeleteOptions { PropagationPolicy = "Background", PreconditionResourceVersion = fresh.Metadata.ResourceVersion },
                cancellationToken);
        }
        catch (ConflictException)
        {
            // Changed since the read: the update event brings it back.
        }
    }

    private TimeSpan Remaining(V1Job job) =>
        JobConditions.FinishTime(job)!.Value + TimeSpan.FromSeconds(job.Spec.TtlSecondsAfterFinished!.Value) - _context.Time.GetUtcNow().UtcDateTime;
}
