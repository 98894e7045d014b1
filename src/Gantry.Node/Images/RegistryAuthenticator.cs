using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gantry.Node.Images;

/// <summary>
/// Sends registry requests with the authorization a registry asks for in its 401 challenge: anonymous first, then a
/// bearer token from the challenge's realm (service and scope as given; basic credentials for the token request when
/// the node has some), or basic auth — the Docker registry token flow containerd implements.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, RegistryCredential? credential)
{
    private AuthenticationHeaderValue? _authorization;

    /// <summary>Sends the request <paramref name="create"/> makes, answering one authentication challenge.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(create, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        response.Dispose();
        if (challenge is null) throw new RegistryException("registry answered 401 Unauthorized without a challenge");
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            _authorization = credential is null ? throw new RegistryException("pull access denied: the registry requires basic authentication and no credentials were given") : Basic(credential);
        else if (challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            _authorization = new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(ParseParameters(challenge.Parameter ?? ""), cancellationToken));
        else throw new RegistryException($"registry asks for unsupported authentication \"{challenge.Scheme}\"");
        response = await SendOnceAsync(create, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new RegistryException("pull access denied, repository does not exist or may require authorization: 401 Unauthorized");
        }
        return response;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        using var request = create();
        request.Headers.Authorization = _authorization;
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async Task<string> FetchTokenAsync(Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
            throw new RegistryException("registry bearer challenge has no valid realm");
        var query = new StringBuilder(realmUri.Query.TrimStart('?'));
        foreach (var key in (string[])["service", "scope"])
        {
            if (!parameters.TryGetValue(key, out var value)) continue;
            if (query.Length > 0) query.Append('&');
            query.Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }
        var uri = new UriBuilder(realmUri) { Query = query.ToString() }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (credential is not null) request.Headers.Authorization = Basic(credential);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new RegistryException($"failed to fetch {(credential is null ? "anonymous" : "oauth")} token: unexpected status from GET request to {uri}: {(int)response.StatusCode} {response.ReasonPhrase}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        foreach (var key in (string[])["token", "access_token"])
        {
            if (body.RootElement.TryGetProperty(key, out var token) && token.GetString() is { Length: > 0 } value) return value;
        }
        throw new RegistryException($"token response from {realmUri} has no token");
    }

    private static AuthenticationHeaderValue Basic(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":" + credential.Password)));

    /// <summary>key="value" pairs of a challenge; quoted values may hold commas (scope="repository:a:pull,push").</summary>
    internal static Dictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
            var eq = text.IndexOf('=', i);
            if (eq < 0) break;
            var key = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var quoted = new StringBuilder();
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    quoted.Append(text[i]);
                }
                i++;
                value = quoted.ToString();
            }
            else
            {
                var end = text.IndexOf(',', i);
                if (end < 0) end = text.Length;
                value = text[i..end].Trim();
                i = end;
            }
            result[key] = value;
        }
        return result;
    }
}
