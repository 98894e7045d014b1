namespace Gantry.Node.Pods;

/// <summary>What the agent remembers of one pod between syncs; all of it can be rebuilt from the API and the runtime.</summary>
internal sealed class PodState
{
    /// <summary>Passed admission (or adopted from the runtime).</summary>
    public bool Admitted { get; set; }

    /// <summary>The pod's addresses from the network setup (or its status, after an agent restart).</summary>
    public IReadOnlyList<string> PodIps { get; set; } = [];

    /// <summary>The last volume setup failed (FailedMount): the next sync sets them up before it creates a sandbox.</summary>
    public bool VolumesFailed { get; set; }

    /// <summary>Why containers wait, from the last sync: name -> (reason, message).</summary>
    public Dictionary<string, (string Reason, string Message)> Waiting { get; } = new(StringComparer.Ordinal);

    /// <summary>status.reason of a pod the agent failed itself (OutOfcpu, DeadlineExceeded).</summary>
    public string? TerminalReason { get; set; }

    /// <summary>status.message that goes with <see cref="TerminalReason"/>.</summary>
    public string? TerminalMessage { get; set; }

    /// <summary>The pod was seen terminating: it never runs again, even if a stale copy without deletionTimestamp shows up.</summary>
    public bool Terminating { get; set; }

    /// <summary>Everything of the terminating pod was stopped and released, and its deletion was sent.</summary>
    public bool Terminated { get; set; }

    /// <summary>The sandbox of the finished pod was stopped and its network released.</summary>
    public bool SandboxReleased { get; set; }
}
