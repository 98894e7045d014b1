using Gantry.Client;
using Gantry.Client.Informers;

namespace Gantry.Controllers.Tests.ReplicaSet;

/// <summary>
/// Runs a controller over its own client and informers (e.g. a <see cref="FaultyApiClient"/>) instead of the manager's
/// shared ones, starting and syncing them itself.
/// </summary>
internal sealed class OwnInformersController : IController
{
    private readonly SharedInformerFactory _informers;
    private readonly IController _inner;

    public OwnInformersController(ControllerContext context, IApiClient client, Func<ControllerContext, IController> factory)
    {
        _informers = new SharedInformerFactory(client, default, context.Time, context.Loggers);
        _inner = factory(new ControllerContext
        {
            Client = client, Informers = _informers, Time = context.Time, Loggers = context.Loggers, Options = context.Options,
        });
    }

    public string Name => _inner.Name;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using (_informers)
        {
            _informers.Start(cancellationToken);
            await _informers.WaitForCacheSyncAsync(cancellationToken);
            await _inner.RunAsync(cancellationToken);
        }
    }
}
