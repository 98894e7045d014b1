namespace Gantry.Client;

/// <summary>The items of a list and the revision the list was read at (start a watch from it).</summary>
/// <param name="Items">The objects.</param>
/// <param name="ResourceVersion">The list's resourceVersion.</param>
/// <param name="Continue">The continue token when more pages remain (only when not listing all pages).</param>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);
