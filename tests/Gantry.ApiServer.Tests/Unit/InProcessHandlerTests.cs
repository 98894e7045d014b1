using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gantry.ApiServer.Http;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Tests.Unit;

/// <summary>The in-process handler against hand-written pipelines: what the server sees, and what the client gets.</summary>
public sealed class InProcessHandlerTests
{
    private static readonly Uri Server = new("https://127.0.0.1:6443");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static HttpClient Client(RequestDelegate pipeline, X509Certificate2? certificate = null) =>
        new(new InProcessHandler(pipeline, certificate)) { BaseAddress = Server, Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    [Fact]
    public async Task Request_ReachesThePipelineWithItsMethodPathQueryHeadersAndBody()
    {
        string? seen = null;
        using var client = Client(async context =>
        {
            var request = context.Request;
            using var reader = new StreamReader(request.Body);
            seen = $"{request.Method} {request.Scheme} {request.Path.Value} {request.QueryString} {request.Headers.Host} {request.ContentType} {request.ContentLength} "
                + $"{request.Headers.Authorization} {await reader.ReadToEndAsync()}";
            context.Response.StatusCode = 201;
        });
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/namespaces/a%20b/pods?fieldSelector=spec.nodeName%3Dn1&watch=1")
        {
            Content = new StringContent("""{"a":1}""", Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "t0ken");
        using var response = await client.SendAsync(message);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("""POST https /api/v1/namespaces/a b/pods ?fieldSelector=spec.nodeName%3Dn1&watch=1 127.0.0.1:6443 application/json; charset=utf-8 7 Bearer t0ken {"a":1}""", seen);
    }

    [Fact]
    public async Task Response_CarriesStatusHeadersAndBody_WithContentHeadersOnTheContent()
    {
        using var client = Client(async context =>
        {
            context.Response.StatusCode = 409;
            context.Response.ContentType = "application/json";
            context.Response.Headers["Audit-Id"] = "x1";
            context.Response.ContentLength = 4;
            await context.Response.Body.WriteAsync("{}\n\n"u8.ToArray());
        });
        using var response = await client.GetAsync("/x");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("x1", Assert.Single(response.Headers.GetValues("Audit-Id")));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(4, response.Content.Headers.ContentLength);
        Assert.Equal("{}\n\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task StreamingResponse_ReachesTheClientAtEachFlush_BeforeThePipelineEnds()
    {
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = Client(async context =>
        {
            await context.Response.BodyWriter.WriteAsync("one\n"u8.ToArray());
            await second.Task;
            await context.Response.BodyWriter.WriteAsync("two\n"u8.ToArray());
            ended.SetResult();
        });
        using var response = await client.GetAsync("/watch", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("one", await reader.ReadLineAsync().WaitAsync(Timeout));
        Assert.False(ended.Task.IsCompleted);
        second.SetResult();
        Assert.Equal("two", await reader.ReadLineAsync().WaitAsync(Timeout));
        Assert.Null(await reader.ReadLineAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task DisposingAStreamingResponse_AbortsTheRequest()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = Client(async context =>
        {
            await context.Response.BodyWriter.WriteAsync("event\n"u8.ToArray());
            try { await Task.Delay(System.Threading.Timeout.Infinite, context.RequestAborted); }
            catch (OperationCanceledException) { aborted.SetResult(); }
        });
        var response = await client.GetAsync("/watch", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        response.Dispose();
        await aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task CancellingBeforeTheHeaders_AbortsTheRequestAndThrows()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = Client(async context =>
        {
            try { await Task.Delay(System.Threading.Timeout.Infinite, context.RequestAborted); }
            catch (OperationCanceledException) { aborted.SetResult(); }
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync("/slow", cancel.Token));
        await aborted.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task AFailureAfterTheHeaders_CutsTheBodyShort_AndOneBeforeThemIsA500()
    {
        using var late = Client(async context =>
        {
            await context.Response.BodyWriter.WriteAsync("partial"u8.ToArray());
            throw new InvalidOperationException("boom");
        });
        using var response = await late.GetAsync("/x", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        var stream = await response.Content.ReadAsStreamAsync();
        await Assert.ThrowsAsync<IOException>(async () => { while (await stream.ReadAsync(new byte[64]) > 0) { } });

        using var early = Client(_ => throw new InvalidOperationException("boom"));
        using var failed = await early.GetAsync("/x").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
    }

    [Fact]
    public async Task TheCertificate_IsThePipelinesTlsClientCertificate_AndOnCompletedRuns()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=system:node:n1, O=system:nodes", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(5));
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? subject = null;
        using var client = Client(context =>
        {
            subject = context.Connection.ClientCertificate?.Subject;
            context.Response.OnCompleted(() =>
            {
                completed.SetResult();
                return Task.CompletedTask;
            });
            return Task.CompletedTask;
        }, certificate);
        using var response = await client.GetAsync("/x").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN=system:node:n1, O=system:nodes", subject);
        await completed.Task.WaitAsync(Timeout);
    }
}
