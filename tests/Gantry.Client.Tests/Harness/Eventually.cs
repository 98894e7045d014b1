namespace Gantry.Client.Tests.Harness;

/// <summary>Polls a condition until it holds or a deadline passes.</summary>
public static class Eventually
{
    /// <summary>Waits for <paramref name="condition"/>; fails the test with <paramref name="what"/> after the timeout.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
