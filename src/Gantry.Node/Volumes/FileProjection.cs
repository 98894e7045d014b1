namespace Gantry.Node.Volumes;

/// <summary>One file of a configMap/secret/downwardAPI/projected volume: its content and permission bits.</summary>
internal sealed record FileProjection(byte[] Data, UnixFileMode Mode);
