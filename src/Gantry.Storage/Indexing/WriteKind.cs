namespace Gantry.Storage.Indexing;

/// <summary>The kinds of write a store applies.</summary>
internal enum WriteKind
{
    Create,
    Update,
    Delete,
}
