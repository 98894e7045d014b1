namespace Gantry.E2E.Tests.Harness;

/// <summary>
/// Data dirs of e2e nodes, marked with their node name, so a later run can remove what a crashed or killed run left
/// (running containers, mounts, cgroups, bridges) before it starts.
/// </summary>
internal static class Leftovers
{
    private const string Prefix = "gantry-e2e-";
    private const string Marker = "e2e-node-name";

    /// <summary>A fresh data dir for <paramref name="nodeName"/>, marked for cleanup by later runs.</summary>
    public static string NewDataDir(string nodeName)
    {
        var dir = Directory.CreateTempSubdirectory(Prefix).FullName;
        File.WriteAllText(Path.Combine(dir, Marker), nodeName);
        return dir;
    }

    /// <summary>Cleans and deletes every marked data dir no running process uses.</summary>
    public static async Task RemoveAsync()
    {
        var inUse = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))
            .Select(pid => { try { return File.ReadAllText($"/proc/{pid}/cmdline"); } catch (IOException) { return ""; } })
            .Where(cmdline => cmdline.Contains("gantry.dll", StringComparison.Ordinal))
            .ToList();
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var marker = Path.Combine(dir, Marker);
            if (!File.Exists(marker) || inUse.Any(c => c.Contains(dir, StringComparison.Ordinal))) continue;
            await NodeCleanup.RunAsync(dir, File.ReadAllText(marker).Trim());
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
    }
}
