namespace Gantry.Cli;

/// <summary>
/// Keeps the memory of an idle <c>gantry server</c> close to what it really holds. Startup (certificates, schema tables,
/// the components' first lists and caches, the node agent's setup) leaves garbage and free pages in glibc's heap (the JIT's
/// and the type loader's work, TLS handshakes); and the GC collects gen0 only once its budget is allocated — 16 MB on a
/// machine with a 32 MB L3 cache — which an idle server takes a minute or more to allocate, keeping it all resident.
/// </summary>
internal static class IdleHeap
{
    // The gen0 collection an idle server gets once this much was allocated without one. Busy servers collect on their own
    // long before, so this never adds collections under load; the runtime's own knob (DOTNET_GCgen0size) is read only from
    // the environment, not from runtimeconfig.json.
    private const long IdleAllocationBudget = 4 << 20;
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StartupMinimum = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SyncGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Once the components have started (<paramref name="componentsStarted"/>; the server's own node is Ready) and had a
    /// moment to sync, gives the startup garbage and glibc's free pages back (one aggressive collection and a
    /// malloc_trim, ~7 MB native), then collects gen0 whenever an idle stretch allocated <see cref="IdleAllocationBudget"/>. Returns when cancelled.
    /// </summary>
    public static async Task KeepSmallAsync(Task componentsStarted, CancellationToken cancellationToken)
    {
        try
        {
            var minimum = Task.Delay(StartupMinimum, TimeProvider.System, cancellationToken);
            await componentsStarted.WaitAsync(cancellationToken);
            await Task.Delay(SyncGrace, TimeProvider.System, cancellationToken);
            await minimum;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GlibcHeap.Trim();

            using var timer = new PeriodicTimer(CheckInterval, TimeProvider.System);
            var collections = GC.CollectionCount(0);
            var allocated = GC.GetTotalAllocatedBytes();
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (GC.CollectionCount(0) == collections && GC.GetTotalAllocatedBytes() - allocated > IdleAllocationBudget)
                    GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                if (GC.CollectionCount(0) == collections) continue;
                collections = GC.CollectionCount(0);
                allocated = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
