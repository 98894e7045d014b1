namespace Gantry.Scheduler.Framework;

/// <summary>What a plugin keeps in the <see cref="CycleState"/>; cloned for preemption's what-if runs.</summary>
internal interface ICycleStateData
{
    /// <summary>A copy that can be changed without affecting this one.</summary>
    ICycleStateData Clone();
}
