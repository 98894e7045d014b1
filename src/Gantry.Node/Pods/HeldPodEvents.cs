using k8s.Models;

namespace Gantry.Node.Pods;

/// <summary>
/// The events of one container start while its new sandbox's network is still being set up: held until the network
/// is joined, then recorded in order, or dropped when the network fails (the kubelet never gets that far then, so a
/// failed sandbox reads as before: FailedCreatePodSandBox and nothing of its containers). Passes through when not holding.
/// </summary>
internal sealed class HeldPodEvents(PodEvents events, bool holding)
{
    private readonly List<(bool Warning, V1Pod Pod, string Reason, string Message)> _held = [];
    private readonly Lock _lock = new();
    private bool _holding = holding;

    /// <summary>A Normal event about the pod.</summary>
    public void Normal(V1Pod pod, string reason, string message) => Record(false, pod, reason, message);

    /// <summary>A Warning event about the pod.</summary>
    public void Warning(V1Pod pod, string reason, string message) => Record(true, pod, reason, message);

    /// <summary>Records what was held, in order; later events pass through.</summary>
    public void Release()
    {
        lock (_lock)
        {
            foreach (var (warning, pod, reason, message) in _held) Forward(warning, pod, reason, message);
            _held.Clear();
            _holding = false;
        }
    }

    /// <summary>Drops what was held; later events pass through.</summary>
    public void Discard()
    {
        lock (_lock)
        {
            _held.Clear();
            _holding = false;
        }
    }

    private void Record(bool warning, V1Pod pod, string reason, string message)
    {
        lock (_lock)
        {
            if (_holding) _held.Add((warning, pod, reason, message));
            else Forward(warning, pod, reason, message);
        }
    }

    private void Forward(bool warning, V1Pod pod, string reason, string message)
    {
        if (warning) events.Warning(pod, reason, message);
        else events.Normal(pod, reason, message);
    }
}
