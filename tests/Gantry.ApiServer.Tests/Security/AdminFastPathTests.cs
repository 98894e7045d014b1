using Gantry.Api.Registry;
using Gantry.ApiServer.Cache;
using Gantry.ApiServer.Security;
using Gantry.ApiServer.Security.Authentication;
using Gantry.Storage.Memory;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gantry.ApiServer.Tests.Security;

public sealed class AdminFastPathTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("gantry-authn-");

    [Fact]
    public void AdminToken_IsAuthenticatedFirstAndWithoutAllocating()
    {
        var admin = AdminCredentials.LoadOrCreate(_dir.FullName);
        var ca = CertificateAuthority.LoadOrCreate(_dir.FullName, []);
        var caches = new CacheSet(new MemoryStore(), ResourceRegistry.BuiltIn, 16, NullLoggerFactory.Instance);
        var authenticator = new RequestAuthenticator(admin, new ClientCertificateAuthenticator(ca.Certificate, TimeProvider.System),
            new ServiceAccountAuthenticator(ServiceAccountTokenIssuer.LoadOrCreate(_dir.FullName), caches, ResourceRegistry.BuiltIn),
            new BootstrapTokenAuthenticator(caches, ResourceRegistry.BuiltIn), TimeProvider.System);
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + admin.Token;
        Assert.Same(UserInfo.Admin, authenticator.Authenticate(context));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) authenticator.Authenticate(context);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(UserInfo.Admin.IsMaster);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
