namespace Gantry.Controllers.ReplicaSet;

/// <summary>
/// Kubernetes' slowStartBatch: calls an action <c>count</c> times in concurrent batches of 1, 2, 4, ... and stops at the
/// first batch with a failure, so a create that is bound to fail (a quota, an admission rule) is tried a few times, not
/// hundreds.
/// </summary>
internal static class SlowStartBatch
{
    /// <summary>Kubernetes' SlowStartInitialBatchSize.</summary>
    public const int InitialBatchSize = 1;

    /// <summary>Runs the batches; returns how many calls succeeded and the first failure (null when all succeeded).</summary>
    public static async Task<(int Successes, Exception? Error)> RunAsync(int count, int initialBatchSize, Func<Task> action)
    {
        var remaining = count;
        var successes = 0;
        for (var batch = Math.Min(remaining, initialBatchSize); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var calls = Enumerable.Range(0, batch).Select(_ => Task.Run(action)).ToArray();
            try { await Task.WhenAll(calls).ConfigureAwait(false); }
            catch (Exception)
            {
                // Every failure is looked at below; the first one is reported.
            }
            var failed = calls.Where(c => !c.IsCompletedSuccessfully).ToList();
            successes += batch - failed.Count;
            if (failed.Count > 0) return (successes, failed[0].Exception?.InnerException ?? new TaskCanceledException());
            remaining -= batch;
        }
        return (successes, null);
    }
}
