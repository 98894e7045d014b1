namespace Gantry.ApiServer.Security.Authentication;

/// <summary>An authenticated identity, as Kubernetes' user.Info: a name, groups, an optional uid and extra attributes.</summary>
internal sealed class UserInfo
{
    /// <summary>Group every authenticated identity belongs to.</summary>
    public const string AllAuthenticated = "system:authenticated";

    /// <summary>Group that bypasses authorization (Kubernetes' superuser group).</summary>
    public const string Masters = "system:masters";

    /// <summary>Group of every node's credentials.</summary>
    public const string Nodes = "system:nodes";

    /// <summary>Prefix of a node's user name: <c>system:node:&lt;node name&gt;</c>.</summary>
    public const string NodeUserPrefix = "system:node:";

    /// <summary>Group of every service account.</summary>
    public const string ServiceAccounts = "system:serviceaccounts";

    /// <summary>Prefix of a service account's user name: <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>.</summary>
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>Group of bootstrap (join) token users.</summary>
    public const string Bootstrappers = "system:bootstrappers";

    /// <summary>The admin of the admin kubeconfig (k3s's admin is in system:masters as well).</summary>
    public static readonly UserInfo Admin = new("system:admin", [Masters, AllAuthenticated]);

    /// <summary>Creates an identity; <see cref="AllAuthenticated"/> is added when missing.</summary>
    public UserInfo(string name, IReadOnlyList<string> groups, string? uid = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null)
    {
        Name = name;
        Groups = groups.Contains(AllAuthenticated) ? groups : [.. groups, AllAuthenticated];
        Uid = uid;
        Extra = extra ?? new Dictionary<string, IReadOnlyList<string>>();
        IsMaster = Groups.Contains(Masters);
        NodeName = Groups.Contains(Nodes) && name.StartsWith(NodeUserPrefix, StringComparison.Ordinal) && name.Length > NodeUserPrefix.Length
            ? name[NodeUserPrefix.Length..] : null;
    }

    /// <summary>The user name.</summary>
    public string Name { get; }

    /// <summary>The groups, always including <see cref="AllAuthenticated"/>.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>The uid (service accounts'), or null.</summary>
    public string? Uid { get; }

    /// <summary>Extra attributes (a bound token's pod name and uid, as Kubernetes reports them).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; }

    /// <summary>Whether the identity is in <see cref="Masters"/> (allowed everything without a lookup).</summary>
    public bool IsMaster { get; }

    /// <summary>The node name of a node's credentials (user system:node:NAME in group system:nodes), else null.</summary>
    public string? NodeName { get; }
}
