using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gantry.Api.Errors;
using Gantry.ApiServer.Http;
using Gantry.ApiServer.Proxy;
using Gantry.ApiServer.Security.Authentication;
using Microsoft.AspNetCore.Http;

namespace Gantry.ApiServer.Security.Join;

/// <summary>
/// The join flow's server side (k3s's /cacerts and node certificate endpoints): the CA for anyone, and node
/// credentials for a holder of a join credential — the server token (<c>server:&lt;secret&gt;</c>), a bootstrap token
/// or an admin — whose node password matches (see <see cref="NodePasswords"/>). The agent sends signing requests, so
/// its private keys never leave its machine.
/// </summary>
internal sealed partial class NodeCredentialsEndpoint(CertificateAuthority ca, ServerToken serverToken, RequestAuthenticator authenticator, NodePasswords passwords)
{
    private readonly byte[] _caPem = System.Text.Encoding.UTF8.GetBytes(ca.CertificatePem);

    /// <summary>Serves a request to one of the join endpoints; false when its path is neither.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string path)
    {
        if (path == NodeCredentialsApi.CaCertsPath && context.Request.Method is "GET" or "HEAD")
        {
            await ResponseWriter.WriteBytesAsync(context, 200, _caPem, "text/plain; charset=utf-8");
            return true;
        }
        if (path != NodeCredentialsApi.Path) return false;
        if (context.Request.Method != "POST") throw ApiException.MethodNotAllowed();
        if (!MayJoin(context)) throw ApiException.Unauthorized();
        var request = await RequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var nodeName = (string?)request[NodeCredentialsApi.NodeName] ?? "";
        if (nodeName.Length > 253 || !NodeNamePattern().IsMatch(nodeName))
            throw ApiException.BadRequest($"node name \"{nodeName}\" is not a lowercase RFC 1123 subdomain");
        await passwords.VerifyAsync(nodeName, (string?)request[NodeCredentialsApi.NodePassword] ?? "", context.RequestAborted);
        var addresses = (request[NodeCredentialsApi.Addresses] as JsonArray)?.Select(a => (string?)a ?? "").Where(a => a.Length > 0).ToList() ?? [];
        var client = SignRequest(request[NodeCredentialsApi.ClientCsr], "client");
        var serving = SignRequest(request[NodeCredentialsApi.ServingCsr], "serving");
        using var clientCertificate = KubeletCertificates.SignNodeClient(ca.Certificate, nodeName, client.PublicKey);
        using var servingCertificate = KubeletCertificates.SignKubeletServing(ca.Certificate, nodeName, addresses, serving.PublicKey);
        await ResponseWriter.WriteJsonAsync(context, 200, new JsonObject
        {
            [NodeCredentialsApi.ClientCertificate] = clientCertificate.ExportCertificatePem(),
            [NodeCredentialsApi.ServingCertificate] = servingCertificate.ExportCertificatePem(),
            [NodeCredentialsApi.CaCertificate] = ca.CertificatePem,
        });
        return true;
    }

    private bool MayJoin(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal) && serverToken.Matches(header[7..].Trim())) return true;
        var user = authenticator.Authenticate(context);
        return user is not null && (user.IsMaster || user.Groups.Contains(UserInfo.Bootstrappers));
    }

    private static CertificateRequest SignRequest(JsonNode? pem, string which)
    {
        if ((string?)pem is not { Length: > 0 } text) throw ApiException.BadRequest($"the {which} certificate signing request is required");
        try
        {
            return CertificateRequest.LoadSigningRequestPem(text, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException ex)
        {
            throw ApiException.BadRequest($"the {which} certificate signing request is invalid: {ex.Message}");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex NodeNamePattern();
}
