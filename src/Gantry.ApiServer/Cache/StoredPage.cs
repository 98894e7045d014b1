using System.Collections;
using System.Text.Json.Nodes;
using Gantry.Storage;

namespace Gantry.ApiServer.Cache;

/// <summary>
/// Stored values seen as cached objects, each built only when it is read. A later page of a paged list reads every key
/// after its continue key from the store but answers only a page of them: building all of them would parse the rest of
/// the collection for every page.
/// </summary>
internal sealed class StoredPage(IReadOnlyList<StoredValue> values, IReadOnlyDictionary<string, Func<JsonObject, string?>> catalog)
    : IReadOnlyList<CachedObject>
{
    private readonly CachedObject?[] _built = new CachedObject?[values.Count];

    /// <inheritdoc />
    public int Count => values.Count;

    /// <inheritdoc />
    public CachedObject this[int index] => _built[index] ??= CachedObject.From(values[index], values[index].ModRevision, catalog);

    /// <inheritdoc />
    public IEnumerator<CachedObject> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
