using k8s.Models;

namespace Gantry.Scheduler.Preemption;

/// <summary>A node where the preemptor fits once <paramref name="Victims"/> (most important first) are gone.</summary>
internal sealed record Candidate(string Node, IReadOnlyList<V1Pod> Victims, int PdbViolations);
