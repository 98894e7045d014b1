namespace Gantry.Client.LeaderElection;

/// <summary>The single-server case: this process always leads, at once, until cancelled.</summary>
public sealed class AlwaysLeaderElector(string identity = "gantry") : ILeaderElector
{
    private volatile bool _leading;

    /// <inheritdoc />
    public string Identity => identity;

    /// <inheritdoc />
    public bool IsLeader => _leading;

    /// <inheritdoc />
    public async Task RunAsync(Func<CancellationToken, Task> onStartedLeading, Action? onStoppedLeading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onStartedLeading);
        if (cancellationToken.IsCancellationRequested) return;
        _leading = true;
        try
        {
            await onStartedLeading(cancellationToken).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _leading = false;
            onStoppedLeading?.Invoke();
        }
    }
}
