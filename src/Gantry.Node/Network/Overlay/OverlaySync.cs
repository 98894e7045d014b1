namespace Gantry.Node.Network.Overlay;

/// <summary>One successful overlay sync.</summary>
/// <param name="PodCidr">This node's pod CIDR the sync worked with.</param>
/// <param name="Peers">The nodes routes now lead to, by name.</param>
/// <param name="Changes">Routes and entries added, replaced or deleted.</param>
/// <param name="Duration">How long the sync took.</param>
public sealed record OverlaySync(string PodCidr, IReadOnlyList<string> Peers, int Changes, TimeSpan Duration);
