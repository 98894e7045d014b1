using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Client.LeaderElection;

/// <summary>
/// Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it: the holder renews
/// every retry period; others take over once the record has not changed for a lease duration, measured on their own
/// clock from when they last saw it change (so clock skew between machines does not matter); writes use the Lease's
/// resourceVersion, so two candidates cannot both win.
/// </summary>
public sealed partial class LeaseLeaderElector : ILeaderElector
{
    private const double JitterFactor = 1.2;
    private readonly IResourceClient<V1Lease> _leases;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string? _observedResourceVersion;
    private DateTimeOffset _observedTime;
    private volatile bool _leading;

    /// <summary>A candidate using <paramref name="client"/>; the timings must satisfy lease duration &gt; renew deadline &gt; 1.2 x retry period.</summary>
    public LeaseLeaderElector(IApiClient client, LeaderElectionOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.LeaseDuration <= options.RenewDeadline) throw new ArgumentException("lease duration must be longer than the renew deadline", nameof(options));
        if (options.RenewDeadline <= options.RetryPeriod * JitterFactor) throw new ArgumentException("renew deadline must exceed 1.2 x the retry period", nameof(options));
        if (options.LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentException("a Lease counts in whole seconds: lease duration must be at least 1 s", nameof(options));
        _leases = client.For<V1Lease>();
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)loggers?.CreateLogger<LeaseLeaderElector>() ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Identity => _options.Identity;

    /// <inheritdoc />
    public bool IsLeader => _leading;

    /// <inheritdoc />
    public async Task RunAsync(Func<CancellationToken, Task> onStartedLeading, Action? onStoppedLeading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onStartedLeading);
        if (!await AcquireAsync(cancellationToken).ConfigureAwait(false)) return;
        _leading = true;
        LogStartedLeading(_logger, Identity, _options.LeaseNamespace, _options.LeaseName);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => onStartedLeading(leading.Token), CancellationToken.None);
        try
        {
            while (await RenewWithinDeadlineAsync(cancellationToken).ConfigureAwait(false))
                await Task.Delay(_options.RetryPeriod, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        _leading = false;
        await leading.CancelAsync().ConfigureAwait(false);
        Exception? failure = null;
        try { await work.ConfigureAwait(false); }
        catch (OperationCanceledException) when (leading.IsCancellationRequested) { }
        catch (Exception ex) { failure = ex; }
        // Only after the work has stopped: releasing earlier could let a new leader act beside it.
        if (cancellationToken.IsCancellationRequested && _options.ReleaseOnCancel) await ReleaseAsync().ConfigureAwait(false);
        LogStoppedLeading(_logger, Identity, _options.LeaseNamespace, _options.LeaseName);
        onStoppedLeading?.Invoke();
        if (failure is not null) throw new InvalidOperationException($"{Identity}: the leader's work failed", failure);
    }

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false)) return true;
                var jittered = _options.RetryPeriod + _options.RetryPeriod * (JitterFactor * Random.Shared.NextDouble());
                await Task.Delay(jittered, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Retries a renewal every retry period; false when the renew deadline passes without one.</summary>
    private async Task<bool> RenewWithinDeadlineAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.RenewDeadline;
        while (true)
        {
            if (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false)) return true;
            if (_time.GetUtcNow() + _options.RetryPeriod >= deadline) return false;
            await Task.Delay(_options.RetryPeriod, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        try
        {
            var lease = await _leases.GetAsync(_options.LeaseNamespace, _options.LeaseName, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                var created = await _leases.CreateAsync(new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.LeaseNamespace },
                    Spec = Take(new V1LeaseSpec { LeaseTransitions = 0 }, now, transition: false),
                }, cancellationToken: cancellationToken).ConfigureAwait(false);
                Observe(created, now);
                return true;
            }
            if (lease.Metadata.ResourceVersion != _observedResourceVersion) Observe(lease, now);
            var spec = lease.Spec ??= new V1LeaseSpec();
            var holder = spec.HolderIdentity;
            var mine = holder == Identity;
            if (!mine && !string.IsNullOrEmpty(holder) && _observedTime + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? 0) > now) return false;
            lease.Spec = Take(spec, now, transition: !mine);
            Observe(await _leases.UpdateAsync(lease, cancellationToken).ConfigureAwait(false), now);
            return true;
        }
        catch (ApiClientException ex) when (ex.IsConflict || ex.IsAlreadyExists)
        {
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAttemptFailed(_logger, Identity, _options.LeaseNamespace, _options.LeaseName, ex);
            return false;
        }
    }

    private V1LeaseSpec Take(V1LeaseSpec spec, DateTimeOffset now, bool transition)
    {
        spec.HolderIdentity = Identity;
        spec.LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds);
        spec.RenewTime = now.UtcDateTime;
        if (transition || spec.AcquireTime is null) spec.AcquireTime = now.UtcDateTime;
        if (transition) spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
        return spec;
    }

    private void Observe(V1Lease lease, DateTimeOffset now)
    {
        _observedResourceVersion = lease.Metadata.ResourceVersion;
        _observedTime = now;
    }

    /// <summary>Gives the lease up (holder cleared, 1 s duration) so a successor need not wait out the lease duration.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline);
        try
        {
            var lease = await _leases.GetAsync(_options.LeaseNamespace, _options.LeaseName, timeout.Token).ConfigureAwait(false);
            if (lease?.Spec?.HolderIdentity != Identity) return;
            var now = _time.GetUtcNow().UtcDateTime;
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = now;
            lease.Spec.AcquireTime = now;
            await _leases.UpdateAsync(lease, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogAttemptFailed(_logger, Identity, _options.LeaseNamespace, _options.LeaseName, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became leader of lease {Namespace}/{Name}")]
    private static partial void LogStartedLeading(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} stopped leading lease {Namespace}/{Name}")]
    private static partial void LogStoppedLeading(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity}: acquiring or renewing lease {Namespace}/{Name} failed")]
    private static partial void LogAttemptFailed(ILogger logger, string identity, string @namespace, string name, Exception exception);
}
