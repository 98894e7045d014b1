using System.Net;
using System.Net.Sockets;
using Gantry.Node.Runtime;
using Gantry.Node.Streaming.Logs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.Node.Streaming;

/// <summary>
/// The agent's HTTPS server on the kubelet port, with the kubelet's streaming paths: <c>/containerLogs</c>,
/// <c>/exec</c>, <c>/attach</c> and <c>/portForward</c>. Only the API server may call it (see
/// <see cref="StreamingServerOptions"/>).
/// </summary>
public sealed partial class StreamingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StreamingServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Starts listening; the runtime is asked for containers, sessions and port connections per request.</summary>
    public static async Task<StreamingServer> StartAsync(StreamingServerOptions options, IContainerRuntime runtime, ILoggerFactory? loggers,
        TimeProvider? time, CancellationToken cancellationToken)
    {
        loggers ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        var logger = loggers.CreateLogger<StreamingServer>();
        var port = options.Port == 0 ? FreePort(options.BindAddress) : options.Port;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Listen(options.BindAddress, port, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = options.ServingCertificate,
                    // The certificate is checked against the cluster CA per request, so a bad one gets a 401, not a TLS failure.
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });
        });
        var app = builder.Build();
        var locator = new ContainerLocator(runtime);
        var authenticator = new CallerAuthenticator(options.ClientCertificateAuthority, options.AllowedClientNames, options.BearerToken);
        var logs = new ContainerLogHandler(locator, new CriLogReader(time), time);
        var commands = new RemoteCommandHandler(runtime, locator, options.StreamCreationTimeout, logger);
        var forwards = new PortForwardHandler(runtime, locator, options.StreamCreationTimeout, time, logger);
        app.Run(context => ServeAsync(context, authenticator, logs, commands, forwards, logger));
        await app.StartAsync(cancellationToken);
        return new StreamingServer(app, port);
    }

    private static async Task ServeAsync(HttpContext context, CallerAuthenticator authenticator, ContainerLogHandler logs,
        RemoteCommandHandler commands, PortForwardHandler forwards, ILogger logger)
    {
        try
        {
            var status = authenticator.Check(context);
            if (status != 200)
            {
                await Upgrades.PlainAsync(context, status, status == 401 ? "Unauthorized" : "Forbidden");
                return;
            }
            var parts = (context.Request.Path.Value ?? "/").Trim('/').Split('/');
            var method = context.Request.Method;
            switch (parts)
            {
                case ["containerLogs", var ns, var pod, var container] when method is "GET" or "HEAD":
                    await logs.ServeAsync(context, ns, pod, container);
                    break;
                case ["exec", var ns, var pod, var container] when method is "GET" or "POST":
                    await commands.ServeAsync(context, ns, pod, container, attach: false);
                    break;
                case ["attach", var ns, var pod, var container] when method is "GET" or "POST":
                    await commands.ServeAsync(context, ns, pod, container, attach: true);
                    break;
                case ["portForward", var ns, var pod] when method is "GET" or "POST":
                    await forwards.ServeAsync(context, ns, pod);
                    break;
                default:
                    await Upgrades.PlainAsync(context, 404, "404 page not found");
                    break;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The caller went away mid-stream.
        }
        catch (Exception ex)
        {
            LogFailed(logger, context.Request.Path.Value ?? "", ex);
            await Upgrades.PlainAsync(context, 500, ex.Message);
        }
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops listening and ends open sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "streaming request {Path} failed")]
    private static partial void LogFailed(ILogger logger, string path, Exception exception);
}
