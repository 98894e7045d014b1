using System.Globalization;

namespace Gantry.Node.Runtime;

/// <summary>
/// Resolves a container's uid, gid and additional groups as containerd does: runAsUser/runAsGroup win, else the
/// image's USER (name or uid, optionally :group) looked up in the rootfs' /etc/passwd and /etc/group; the user's
/// groups from /etc/group and the pod's supplemental groups are added.
/// </summary>
internal static class UserResolver
{
    /// <summary>The process identity for the OCI spec.</summary>
    public sealed record Identity(long Uid, long Gid, IReadOnlyList<long> AdditionalGids);

    /// <summary>Resolves the identity of a container with <paramref name="security"/> over the mounted <paramref name="rootfs"/>.</summary>
    public static Identity Resolve(string rootfs, SecurityOptions security)
    {
        var passwd = ReadTable(rootfs, "passwd");
        var groups = ReadTable(rootfs, "group");
        long uid;
        long? gid = null;
        if (security.RunAsUser is { } runAsUser)
        {
            uid = runAsUser;
        }
        else
        {
            var (user, group) = SplitUser(security.ImageUser);
            uid = user is null ? 0 : ResolveUser(passwd, user);
            if (group is not null)
            {
                gid = ResolveGroup(groups, group);
            }
        }

        var entry = passwd.FirstOrDefault(fields => fields.Length > 3 && fields[2] == uid.ToString(CultureInfo.InvariantCulture));
        gid = security.RunAsGroup ?? gid ?? (entry is not null && long.TryParse(entry[3], out var primary) ? primary : 0);

        var additional = new List<long> { gid.Value };
        if (entry is not null)
        {
            foreach (var group in groups)
            {
                if (group.Length > 3 && group[3].Split(',').Contains(entry[0]) && long.TryParse(group[2], out var member))
                {
                    additional.Add(member);
                }
            }
        }

        additional.AddRange(security.SupplementalGroups);
        return new Identity(uid, gid.Value, additional.Distinct().ToList());
    }

    private static (string? User, string? Group) SplitUser(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return (null, null);
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (value, null) : (value[..colon], value[(colon + 1)..]);
    }

    private static long ResolveUser(List<string[]> passwd, string user)
    {
        if (long.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return uid;
        }

        var entry = passwd.FirstOrDefault(fields => fields.Length > 2 && fields[0] == user)
            ?? throw new InvalidOperationException($"unable to find user {user}: no matching entries in passwd file");
        return long.Parse(entry[2], CultureInfo.InvariantCulture);
    }

    private static long ResolveGroup(List<string[]> groups, string group)
    {
        if (long.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return gid;
        }

        var entry = groups.FirstOrDefault(fields => fields.Length > 2 && fields[0] == group)
            ?? throw new InvalidOperationException($"unable to find group {group}: no matching entries in group file");
        return long.Parse(entry[2], CultureInfo.InvariantCulture);
    }

    private static List<string[]> ReadTable(string rootfs, string name)
    {
        // A symlinked /etc file could point anywhere on the host: only plain files inside the rootfs are read.
        var path = Path.Combine(rootfs, "etc", name);
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return [];
        }

        return File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(':'))
            .ToList();
    }
}
