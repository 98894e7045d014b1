using System.Collections.Concurrent;
using Gantry.Node.Network;

namespace Gantry.Node.Tests.Pods;

/// <summary>Hands out 10.88.0.x addresses per sandbox and remembers what is connected.</summary>
internal sealed class FakePodNetwork : IPodNetwork
{
    private int _next = 1;

    public string? PodCidr { get; private set; }

    /// <summary>Connected sandboxes and their address.</summary>
    public ConcurrentDictionary<string, string> Connected { get; } = new(StringComparer.Ordinal);

    public Task InitializeAsync(string podCidr, CancellationToken cancellationToken)
    {
        PodCidr = podCidr;
        return Task.CompletedTask;
    }

    /// <summary>How long an ADD takes (a real one runs two plugin processes).</summary>
    public TimeSpan SetUpDelay { get; set; }

    /// <summary>While set, every ADD fails with this message.</summary>
    public string? SetUpFailure { get; set; }

    /// <summary>ADDs asked for.</summary>
    public int SetUps => _setUps;

    private int _setUps;

    public async Task<PodNetworkStatus> SetUpAsync(PodNetworkRequest request, CancellationToken cancellationToken)
    {
        if (PodCidr is null) throw new InvalidOperationException("network not initialized");
        Interlocked.Increment(ref _setUps);
        if (SetUpDelay > TimeSpan.Zero) await Task.Delay(SetUpDelay, cancellationToken);
        if (SetUpFailure is { } failure) throw new InvalidOperationException(failure);
        var ip = Connected.GetOrAdd(request.SandboxId, _ => $"10.88.0.{Interlocked.Increment(ref _next)}");
        return new PodNetworkStatus([ip]);
    }

    public Task TearDownAsync(PodNetworkRequest request, CancellationToken cancellationToken)
    {
        Connected.TryRemove(request.SandboxId, out _);
        return Task.CompletedTask;
    }
}
