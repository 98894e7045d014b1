namespace Gantry.Scheduler.Cache;

/// <summary>A preferred (anti-)affinity term with its weight.</summary>
internal sealed record WeightedAffinityTerm(AffinityTerm Term, int Weight);
