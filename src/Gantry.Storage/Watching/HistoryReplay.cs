namespace Gantry.Storage.Watching;

/// <summary>
/// Streams a store's recorded changes under <paramref name="prefix"/> with revisions in
/// (<paramref name="afterRevision"/>, <paramref name="upToRevision"/>], in revision order.
/// Throws <see cref="StoreCompactedException"/> when that history is gone.
/// </summary>
internal delegate IAsyncEnumerable<StoreEvent> HistoryReplay(string prefix, long afterRevision, long upToRevision, CancellationToken cancellationToken);
