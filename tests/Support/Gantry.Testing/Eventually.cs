namespace Gantry.Testing;

/// <summary>Polling for conditions that controllers and schedulers bring about asynchronously.</summary>
public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/> (default 20 s).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
