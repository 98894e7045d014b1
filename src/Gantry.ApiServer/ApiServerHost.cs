using System.Net;
using System.Text.Json.Nodes;
using Gantry.Api.Errors;
using Gantry.Api.Registry;
using Gantry.Api.Schema;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Discovery;
using Gantry.ApiServer.Handlers;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Objects;
using Gantry.ApiServer.Proxy;
using Gantry.ApiServer.Security;
using Gantry.ApiServer.Security.Authentication;
using Gantry.ApiServer.Security.Authorization;
using Gantry.ApiServer.Security.Join;
using Gantry.ApiServer.Services;
using Gantry.ApiServer.Admission;
using Gantry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.ApiServer;

/// <summary>
/// The API server process: certificates and credentials, the store and its watch caches, and the HTTPS endpoint
/// serving the Kubernetes REST API.
/// </summary>
public sealed partial class ApiServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IStore _store;
    private readonly CacheSet _caches;
    private readonly Task _kubernetesService;
    private readonly RequestDelegate _pipeline;

    private ApiServerHost(WebApplication app, IStore store, CacheSet caches, ResourceService service, string url, Task kubernetesService, ServerToken joinToken,
        RequestDelegate pipeline)
    {
        _pipeline = pipeline;
        JoinToken = joinToken.Token;
        JoinTokenCreated = joinToken.Created;
        _app = app;
        _store = store;
        _caches = caches;
        _kubernetesService = kubernetesService;
        Service = service;
        Url = url;
    }

    /// <summary>The generic resource service (for in-process components).</summary>
    public ResourceService Service { get; }

    /// <summary>The URL clients use.</summary>
    public string Url { get; }

    /// <summary>The server's join token (<c>&lt;data-dir&gt;/token</c>).</summary>
    public JoinToken JoinToken { get; }

    /// <summary>Whether this start created the join token (it is printed once, at first start).</summary>
    public bool JoinTokenCreated { get; }

    /// <summary>Prepares the data dir, store and caches, writes the kubeconfig and starts listening.</summary>
    public static async Task<ApiServerHost> StartAsync(ServerOptions options, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataDir);
        loggers ??= LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var time = TimeProvider.System;
        var ca = CertificateAuthority.LoadOrCreate(options.DataDir, options.TlsSans.Concat(options.AdvertiseAddress is null ? [] : [options.AdvertiseAddress]));
        var admin = AdminCredentials.LoadOrCreate(options.DataDir);
        var tokens = ServiceAccountTokenIssuer.LoadOrCreate(options.DataDir);
        var serverToken = ServerToken.LoadOrCreate(options.DataDir, ca.CertificatePem);
        var store = await StoreFactory.OpenAsync(options, cancellationToken);
        var registry = ResourceRegistry.BuiltIn;
        var ipRange = ClusterIpRange.Parse(options.ServiceCidr);
        var allocator = new ServiceAllocator(ipRange, NodePortRange.Parse(options.ServiceNodePortRange), loggers.CreateLogger<ServiceAllocator>());
        // The used cluster IPs and node ports are rebuilt from the stored Services before any write.
        var services = registry.Find("", "v1", "services")!;
        await allocator.RepairAsync(store, services, cancellationToken);
        var service = new ResourceService(store, time) { Services = allocator, ServiceAccounts = new ServiceAccountAdmission(store) };
        await Bootstrap.EnsureNamespacesAsync(service, registry, cancellationToken);
        var kubernetesService = new KubernetesServiceReconciler(service, registry, ipRange.HostAddress(1), KubernetesServiceReconciler.AdvertisedIp(options),
            options.HttpsPort, loggers.CreateLogger<KubernetesServiceReconciler>());
        await kubernetesService.StartAsync(cancellationToken);
        if (options.ClusterDns is { } dnsIp) await new KubeDnsServiceReconciler(service, registry, dnsIp, loggers.CreateLogger<KubeDnsServiceReconciler>()).EnsureAsync(cancellationToken);
        await Admission.PriorityAdmission.EnsureSystemClassesAsync(service, cancellationToken);
        await BootstrapPolicy.EnsureAsync(service, registry, cancellationToken);
        var caches = new CacheSet(store, registry, options.WatchCacheEvents, loggers);
        await caches.StartAsync(cancellationToken);

        // The empty builder with Kestrel alone: no routing, configuration or logging providers the server does not use.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
            k.AddServerHeader = false;
            k.Listen(options.BindAddress, options.HttpsPort, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                // Client certificates are asked for, not required; the chain is checked by the authenticator.
                l.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = ca.ServingCertificate,
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });
        });
        var app = builder.Build();
        var discovery = new DiscoveryDocuments(registry);
        var kubelets = new KubeletConnector(ca.Certificate);
        app.Lifetime.ApplicationStopped.Register(kubelets.Dispose);
        var dispatcher = new ApiDispatcher(registry,
            new ReadHandlers(service, caches, time),
            new WriteHandlers(service, caches, registry),
            new WatchHandler(caches, options, time),
            new ScaleHandler(service),
            new SubresourceHandlers(service, registry, tokens, time),
            new NodeProxyHandler(service, registry, kubelets));
        var stopping = app.Lifetime.ApplicationStopping;
        var logger = loggers.CreateLogger<ApiServerHost>();
        var authenticator = new RequestAuthenticator(admin, new ClientCertificateAuthenticator(ca.Certificate, time),
            new ServiceAccountAuthenticator(tokens, caches, registry), new BootstrapTokenAuthenticator(caches, registry), time);
        var authorizer = new RequestAuthorizer(new NodeAuthorizer(caches, registry), new RbacAuthorizer(caches, registry));
        var security = new ApiSecurity(authenticator, authorizer, new AccessReviewHandlers(authorizer),
            new NodeCredentialsEndpoint(ca, serverToken, authenticator, new NodePasswords(service, registry)), caches, registry);
        RequestDelegate pipeline = context => ServeAsync(context, security, registry, discovery, dispatcher, logger, stopping);
        app.Run(pipeline);
        await app.StartAsync(cancellationToken);

        var host = options.AdvertiseAddress ?? (options.BindAddress.Equals(IPAddress.Any) || options.BindAddress.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : options.BindAddress.ToString());
        var url = $"https://{(host.Contains(':') ? $"[{host}]" : host)}:{options.HttpsPort}";
        admin.WriteKubeconfig(options.EffectiveKubeconfigPath, url, ca.CertificatePem);
        return new ApiServerHost(app, store, caches, service, url, Task.WhenAll(kubernetesService.RunAsync(time, stopping), allocator.RunRepairsAsync(store, services, time, stopping)), serverToken, pipeline);
    }

    private static async Task ServeAsync(HttpContext context, ApiSecurity security, ResourceRegistry registry, DiscoveryDocuments discovery,
        ApiDispatcher dispatcher, ILogger logger, CancellationToken stopping)
    {
        var path = context.Request.Path.Value ?? "/";
        try
        {
            if (path is "/healthz" or "/livez" or "/readyz" || path.StartsWith("/healthz/", StringComparison.Ordinal)
                || path.StartsWith("/livez/", StringComparison.Ordinal) || path.StartsWith("/readyz/", StringComparison.Ordinal))
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok", context.RequestAborted);
                return;
            }
            if (await security.TryServeJoinAsync(context, path)) return;
            // A static lambda: no closure per request (only non-masters' requests are parsed there).
            var user = security.AuthenticateAndAuthorize(context, path, static (c, p) => RequestInfoParser.Parse(c.Request.Method, p, IsWatch(c.Request)))
                ?? throw ApiException.Unauthorized();
            if (path is "/version" or "/version/")
            {
                await ResponseWriter.WriteJsonAsync(context, 200, VersionInfo.Json);
                return;
            }
            if (await DiscoveryEndpoints.TryServeAsync(context, path, registry, discovery)) return;
            var info = RequestInfoParser.Parse(context.Request.Method, path, IsWatch(context.Request))
                ?? throw ApiException.NotFoundPath();
            if (await security.TryServeReviewAsync(context, info, user)) return;
            await dispatcher.DispatchAsync(context, info, stopping);
        }
        catch (ApiException ex)
        {
            await ResponseWriter.WriteErrorAsync(context, ex);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The client went away mid-request.
        }
        catch (Exception ex)
        {
            LogInternalError(logger, context.Request.Method, path, ex);
            await ResponseWriter.WriteErrorAsync(context, new ApiException(500, "InternalError", $"Internal error occurred: {ex.Message}"));
        }
    }

    /// <summary>Like Kubernetes, any watch value but "false" or "0" asks for a watch.</summary>
    private static bool IsWatch(HttpRequest request) =>
        request.Query.TryGetValue("watch", out var w) && w.Count > 0 && !string.Equals(w[0], "false", StringComparison.OrdinalIgnoreCase) && w[0] != "0";

    /// <summary>
    /// A handler serving requests through this server's pipeline in process (no TLS, HTTP/2 or socket), for the components
    /// of <c>gantry server</c>; <paramref name="clientCertificate"/> is presented as the TLS client certificate would be.
    /// </summary>
    public HttpMessageHandler CreateInProcessHandler(System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null) =>
        new InProcessHandler(_pipeline, clientCertificate);

    /// <summary>Stops serving and closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _kubernetesService;
        await _app.DisposeAsync();
        await _caches.DisposeAsync();
        await _store.DisposeAsync();
    }

    /// <summary>Waits until the host shuts down (Ctrl-C or SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "internal error serving {Method} {Path}")]
    private static partial void LogInternalError(ILogger logger, string method, string path, Exception exception);
}
