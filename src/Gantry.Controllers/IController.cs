namespace Gantry.Controllers;

/// <summary>
/// One level-triggered controller. It registers its informers and handlers when constructed (from a
/// <see cref="ControllerContext"/>) and runs its workers in <see cref="RunAsync"/> once the caches have synced.
/// </summary>
public interface IController
{
    /// <summary>Name used in logs and events (e.g. "replicaset-controller").</summary>
    string Name { get; }

    /// <summary>Runs the workers until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
