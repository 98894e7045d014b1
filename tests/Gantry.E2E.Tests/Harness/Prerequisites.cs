namespace Gantry.E2E.Tests.Harness;

/// <summary>What the e2e suite needs from the machine; a missing piece fails the suite with what to do, never skips it.</summary>
internal static class Prerequisites
{
    public static void Check()
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("the e2e tests run real containers: run them as root");
        string[] tools = ["/usr/sbin/runc", "/usr/bin/conmon", "/usr/lib/cni/bridge", "/bin/busybox"];
        var missing = tools.Where(t => !File.Exists(t)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"missing {string.Join(", ", missing)}: run scripts/install-packages test");
    }
}
