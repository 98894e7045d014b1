using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace Gantry.Client.Tests.Harness;

/// <summary>
/// Wraps a resource client so a test can cut watches off and later let them resume from the revision they had reached,
/// as a client does after a network outage; or break the next stream mid-way, as a dropped connection does; counts lists.
/// </summary>
public sealed class GatedResourceClient<T>(IResourceClient<T> inner) : IResourceClient<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private TaskCompletionSource _gate = Open();
    private CancellationTokenSource _cut = new();
    private int _lists;
    private int _breakAfter;
    private int _breaks;

    /// <summary>How many list calls went through.</summary>
    public int Lists => Volatile.Read(ref _lists);

    /// <summary>Cuts running watches; they wait until <see cref="Reopen"/>.</summary>
    public void Cut()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cut.Cancel();
    }

    /// <summary>Lets cut watches resume from the revision they had reached.</summary>
    public void Reopen()
    {
        _cut = new CancellationTokenSource();
        _gate.SetResult();
    }

    /// <summary>How many streams <see cref="BreakAfter"/> broke.</summary>
    public int Breaks => Volatile.Read(ref _breaks);

    /// <summary>The stream open now (or the next one) fails with an IOException after <paramref name="events"/> more events.</summary>
    public void BreakAfter(int events) => Volatile.Write(ref _breakAfter, events);

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource();
        tcs.SetResult();
        return tcs;
    }

    /// <inheritdoc />
    public ResourceInfo Resource => inner.Resource;

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns, ListOptions? options = null, bool allowBookmarks = true,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var revision = options?.ResourceVersion;
        while (true)
        {
            await _gate.Task.WaitAsync(cancellationToken);
            var cut = _cut;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cut.Token);
            await using var events = inner.WatchAsync(ns, (options ?? new ListOptions()) with { ResourceVersion = revision }, allowBookmarks, linked.Token)
                .GetAsyncEnumerator(linked.Token);
            while (true)
            {
                WatchEvent<T> e;
                try
                {
                    if (!await events.MoveNextAsync()) yield break;
                    e = events.Current;
                }
                catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                yield return e;
                revision = e.ResourceVersion ?? revision;
                if (Interlocked.Decrement(ref _breakAfter) != 0) continue;
                Interlocked.Increment(ref _breaks);
                throw new IOException("the connection dropped");
            }
        }
    }

    /// <inheritdoc />
    public Task<ResourceList<T>> ListAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        return inner.ListAsync(ns, options, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T?> GetAsync(string? ns, string name, CancellationToken cancellationToken = default) => inner.GetAsync(ns, name, cancellationToken);
    /// <inheritdoc />
    public Task<T> CreateAsync(T obj, string? ns = null, CancellationToken cancellationToken = default) => inner.CreateAsync(obj, ns, cancellationToken);
    /// <inheritdoc />
    public Task<T> UpdateAsync(T obj, CancellationToken cancellationToken = default) => inner.UpdateAsync(obj, cancellationToken);
    /// <inheritdoc />
    public Task<T> UpdateStatusAsync(T obj, CancellationToken cancellationToken = default) => inner.UpdateStatusAsync(obj, cancellationToken);
    /// <inheritdoc />
    public Task<T> PatchAsync(string? ns, string name, PatchType type, object body, PatchOptions? options = null, string? subresource = null,
        CancellationToken cancellationToken = default) => inner.PatchAsync(ns, name, type, body, options, subresource, cancellationToken);
    /// <inheritdoc />
    public Task<bool> DeleteAsync(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(ns, name, options, cancellationToken);
    /// <inheritdoc />
    public Task DeleteCollectionAsync(string? ns, ListOptions? selection = null, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.DeleteCollectionAsync(ns, selection, options, cancellationToken);
    /// <inheritdoc />
    public Task<V1Scale> GetScaleAsync(string? ns, string name, CancellationToken cancellationToken = default) => inner.GetScaleAsync(ns, name, cancellationToken);
    /// <inheritdoc />
    public Task<V1Scale> UpdateScaleAsync(string? ns, string name, V1Scale scale, CancellationToken cancellationToken = default) =>
        inner.UpdateScaleAsync(ns, name, scale, cancellationToken);
}
