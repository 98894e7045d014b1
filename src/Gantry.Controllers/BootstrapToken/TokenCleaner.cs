using System.Globalization;
using System.Text;
using Gantry.Client;
using Gantry.Client.Informers;
using Gantry.Client.Queue;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Gantry.Controllers.BootstrapToken;

/// <summary>
/// Kubernetes' tokencleaner (which k3s enables so `token create --ttl` tokens go away): deletes bootstrap-token Secrets
/// (type bootstrap.kubernetes.io/token in kube-system) once the RFC 3339 time in their <c>expiration</c> key has passed,
/// and looks again at that time for the ones not expired yet. An unreadable expiration counts as expired, as upstream.
/// The delete carries the Secret's UID as a precondition, so a token re-created under the same name is kept.
/// </summary>
public sealed partial class TokenCleaner : IController
{
    /// <summary>The Secret type of bootstrap tokens.</summary>
    public const string SecretType = "bootstrap.kubernetes.io/token";

    private const string Namespace = "kube-system";

    private readonly ControllerContext _context;
    private readonly RateLimitingQueue<string> _queue;
    private readonly Informer<V1Secret> _secrets;
    private readonly ILogger _logger;
    private readonly IDisposable _registration;

    /// <summary>Registers the handler on a kube-system informer of bootstrap-token Secrets only.</summary>
    public TokenCleaner(ControllerContext context)
    {
        _context = context;
        _queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(context.Time), context.Time);
        _secrets = context.Informers.For<V1Secret>(new InformerOptions { Namespace = Namespace, FieldSelector = $"type={SecretType}" });
        _logger = context.Loggers.CreateLogger<TokenCleaner>();
        _registration = _secrets.AddEventHandler(onAdd: Enqueue, onUpdate: (_, s) => Enqueue(s));
    }

    /// <inheritdoc />
    public string Name => "token-cleaner";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await new ControllerRunner<string>(Name, _queue, SyncAsync, _context.Loggers).RunAsync(1, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _registration.Dispose();
            _queue.Dispose();
        }
    }

    /// <summary>How long until <paramref name="secret"/> expires: null for never, zero or less when it already has.</summary>
    public static TimeSpan? TimeLeft(V1Secret secret, DateTimeOffset now)
    {
        if (secret.Data?.TryGetValue("expiration", out var bytes) != true || bytes is not { Length: > 0 }) return null;
        return DateTimeOffset.TryParseExact(Encoding.UTF8.GetString(bytes), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires)
            ? expires - now
            : TimeSpan.Zero;
    }

    private void Enqueue(V1Secret secret) => _queue.Add(ObjectKey.Of(secret));

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKey.Split(key);
        if (_secrets.Get(ns, name) is not { } secret || TimeLeft(secret, _context.Time.GetUtcNow()) is not { } left) return;
        if (left > TimeSpan.Zero)
        {
            _queue.AddAfter(key, left);
            return;
        }
        LogDeleting(_logger, key);
        try
        {
            await _context.Client.For<V1Secret>().DeleteAsync(ns, name, new DeleteOptions { PreconditionUid = secret.Metadata.Uid }, cancellationToken).ConfigureAwait(false);
        }
        // Another Secret took the name since: the precondition kept it.
        catch (ApiClientException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "deleting expired bootstrap token {Secret}")]
    private static partial void LogDeleting(ILogger logger, string secret);
}
