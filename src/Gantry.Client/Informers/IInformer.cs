namespace Gantry.Client.Informers;

/// <summary>The type-independent face of an informer, for factories and sync waits.</summary>
public interface IInformer
{
    /// <summary>True once the first list has been applied to the cache and handlers.</summary>
    bool HasSynced { get; }

    /// <summary>The resourceVersion of the latest list or event applied.</summary>
    string? LastSyncResourceVersion { get; }

    /// <summary>Completes when <see cref="HasSynced"/> becomes true.</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);

    /// <summary>Lists and watches until cancelled, relisting after failures and 410 Expired.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
