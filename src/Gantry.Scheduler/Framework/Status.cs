namespace Gantry.Scheduler.Framework;

/// <summary>A plugin's verdict about one node: a code and the reasons shown in the FitError histogram.</summary>
internal sealed record Status(StatusCode Code, IReadOnlyList<string> Reasons)
{
    /// <summary>The shared success status.</summary>
    public static readonly Status Success = new(StatusCode.Success, []);

    /// <summary>The shared skip status (PreFilter / PreScore).</summary>
    public static readonly Status Skip = new(StatusCode.Skip, []);

    /// <summary>True when the node passes.</summary>
    public bool IsSuccess => Code == StatusCode.Success;

    /// <summary>True for a rejection (neither success nor skip).</summary>
    public bool IsRejected => Code is StatusCode.Unschedulable or StatusCode.UnschedulableAndUnresolvable;

    /// <summary>A rejection that preemption might resolve.</summary>
    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons);

    /// <summary>A rejection that preemption cannot resolve.</summary>
    public static Status Unresolvable(params string[] reasons) => new(StatusCode.UnschedulableAndUnresolvable, reasons);
}
