namespace Gantry.ApiServer.Security.Join;

/// <summary>The join endpoints' paths and JSON field names, shared by the server and the agent.</summary>
public static class NodeCredentialsApi
{
    /// <summary>GET: the cluster CA in PEM, unauthenticated (as k3s's /cacerts); a K10 token's hash names these bytes.</summary>
    public const string CaCertsPath = "/cacerts";

    /// <summary>POST with the join token's credential as bearer token: node credentials for signing requests.</summary>
    public const string Path = "/v1-gantry/node-credentials";

    /// <summary>Request: the node name.</summary>
    public const string NodeName = "nodeName";

    /// <summary>Request: PEM signing request of the client key.</summary>
    public const string ClientCsr = "clientCsr";

    /// <summary>Request: PEM signing request of the streaming server's key.</summary>
    public const string ServingCsr = "servingCsr";

    /// <summary>
    /// Request: the node's password (k3s's node password): the first join of a node name records its hash, later joins
    /// under that name must present the same password, so one join token cannot take over another machine's node.
    /// </summary>
    public const string NodePassword = "nodePassword";

    /// <summary>Suffix of the kube-system secret holding a node password's hash (<c>&lt;node&gt;.node-password.gantry</c>).</summary>
    public const string NodePasswordSecretSuffix = ".node-password.gantry";

    /// <summary>Request: the node's addresses and host names for the serving certificate.</summary>
    public const string Addresses = "addresses";

    /// <summary>Response: PEM client certificate (CN system:node:NAME, O system:nodes).</summary>
    public const string ClientCertificate = "clientCertificate";

    /// <summary>Response: PEM serving certificate.</summary>
    public const string ServingCertificate = "servingCertificate";

    /// <summary>Response: PEM cluster CA.</summary>
    public const string CaCertificate = "ca";
}
