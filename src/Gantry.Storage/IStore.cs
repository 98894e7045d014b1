using System.Threading.Channels;

namespace Gantry.Storage;

/// <summary>
/// An MVCC key-value store in the style of etcd: every write gets a new global revision, which the
/// API server exposes as <c>metadata.resourceVersion</c>. Keys look like <c>/registry/pods/default/web-1</c>.
/// </summary>
public interface IStore : IAsyncDisposable
{
    /// <summary>The revision of the newest committed write (0 for an empty store).</summary>
    long CurrentRevision { get; }

    /// <summary>The newest revision that has been compacted away; reads and watches at or below it fail.</summary>
    long CompactedRevision { get; }

    /// <summary>Reads the newest value of one key, or null when it does not exist.</summary>
    ValueTask<StoredValue?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the keys under <paramref name="prefix"/> in ordinal key order, optionally at an older revision and paged.
    /// Throws <see cref="StoreCompactedException"/> when the requested revision is at or below
    /// <see cref="CompactedRevision"/>, and <see cref="ArgumentOutOfRangeException"/> when it is above
    /// <see cref="CurrentRevision"/>. To page consistently, pass the first page's <see cref="ListResult.Revision"/>.
    /// </summary>
    ValueTask<ListResult> ListAsync(string prefix, ListRequest request, CancellationToken cancellationToken = default);

    /// <summary>Counts the live keys under a prefix at the newest revision.</summary>
    ValueTask<long> CountAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a key; throws <see cref="StoreKeyExistsException"/> when it exists. Returns once durable. The store
    /// copies <paramref name="value"/>, so the caller may reuse its buffer.
    /// </summary>
    ValueTask<StoredValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a key's value when its current modification revision equals <paramref name="expectedRevision"/>
    /// (compare-and-swap). Throws <see cref="StoreConflictException"/> or <see cref="StoreKeyNotFoundException"/>.
    /// </summary>
    ValueTask<StoredValue> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a key when its current modification revision equals <paramref name="expectedRevision"/>, or
    /// unconditionally when it is 0. Returns the deleted value with <see cref="StoredValue.ModRevision"/> set to
    /// the revision of the deletion.
    /// </summary>
    ValueTask<StoredValue> DeleteAsync(string key, long expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every change under <paramref name="prefix"/> with a revision greater than
    /// <paramref name="afterRevision"/>, in revision order, until cancelled (older history is replayed first, then
    /// live changes follow without gap or duplicate). Throws <see cref="StoreCompactedException"/> at once when
    /// <paramref name="afterRevision"/> is below <see cref="CompactedRevision"/>. The reader completes normally when
    /// the token is cancelled or the store is disposed, and with <see cref="StoreWatchOverflowException"/> if the
    /// watcher falls too far behind (it must then relist).
    /// </summary>
    ChannelReader<StoreEvent> Watch(string prefix, long afterRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Discards history at or below <paramref name="revision"/> (the newest version of every live key stays).
    /// A revision at or below <see cref="CompactedRevision"/> changes nothing; one above <see cref="CurrentRevision"/>
    /// throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    ValueTask CompactAsync(long revision, CancellationToken cancellationToken = default);
}

/// <summary>One version of a key.</summary>
/// <param name="Key">The full key.</param>
/// <param name="Value">The stored bytes (JSON for the API server).</param>
/// <param name="CreateRevision">The revision that created this incarnation of the key.</param>
/// <param name="ModRevision">The revision of this version (for a deletion event: the revision of the delete).</param>
public sealed record StoredValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision);

/// <summary>Paging and point-in-time options of a list.</summary>
/// <param name="Limit">At most this many items; 0 means no limit.</param>
/// <param name="StartKey">Resume at this key (inclusive); null to start at the prefix.</param>
/// <param name="Revision">List as of this revision; 0 means the newest.</param>
public sealed record ListRequest(int Limit = 0, string? StartKey = null, long Revision = 0)
{
    /// <summary>Everything, newest revision.</summary>
    public static ListRequest All { get; } = new();
}

/// <summary>The answer to a list.</summary>
/// <param name="Items">The values, in key order.</param>
/// <param name="Revision">The revision the list was read at.</param>
/// <param name="NextKey">When the limit cut the list short, the key to resume at; otherwise null.</param>
/// <param name="RemainingCount">How many items remain after this page (0 when complete).</param>
public sealed record ListResult(IReadOnlyList<StoredValue> Items, long Revision, string? NextKey, long RemainingCount);

/// <summary>What a change did to a key.</summary>
public enum StoreEventType
{
    /// <summary>The key was created.</summary>
    Created,
    /// <summary>The key's value was replaced.</summary>
    Updated,
    /// <summary>The key was deleted.</summary>
    Deleted,
}

/// <summary>One change seen by a watch.</summary>
/// <param name="Type">Created, updated or deleted.</param>
/// <param name="Value">The new value; for a deletion, the last value with ModRevision = the deletion's revision.</param>
/// <param name="Previous">The value before the change (null for a creation).</param>
public sealed record StoreEvent(StoreEventType Type, StoredValue Value, StoredValue? Previous);
