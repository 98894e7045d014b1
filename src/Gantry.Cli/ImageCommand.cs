using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using Gantry.Node;
using Gantry.Node.Images;

namespace Gantry.Cli;

/// <summary>
/// <c>gantry image import|ls|rm</c>: the node's image store, as <c>ctr image import</c> and <c>crictl images|rmi</c>
/// show it. Works beside a running agent on the same data dir (the store locks its writers).
/// </summary>
internal static class ImageCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "The agent's data folder", DefaultValueFactory = _ => DefaultDataDir(), Recursive = true };
        var nodeName = new Option<string>("--node-name") { Description = "The agent's node name (default: host name)", DefaultValueFactory = _ => Dns.GetHostName().ToLowerInvariant(), Recursive = true };
        var files = new Argument<string[]>("FILE") { Description = "docker save archives, OCI archives or OCI layout directories (plain or gzip)", Arity = ArgumentArity.OneOrMore };
        var import = new Command("import", "Import images from archives or OCI layouts") { files };
        import.SetAction((result, cancellationToken) => RunAsync(result, dataDir, nodeName, async images =>
        {
            foreach (var file in result.GetValue(files)!)
            {
                foreach (var image in await images.ImportAsync(file, cancellationToken))
                    Console.WriteLine($"imported {(image.RepoTags.Count > 0 ? string.Join(", ", image.RepoTags) : "<none>")} ({image.Id})");
            }
            return 0;
        }));
        var list = new Command("ls", "List images (as crictl images)");
        list.Aliases.Add("list");
        list.SetAction((result, _) => RunAsync(result, dataDir, nodeName, images =>
        {
            Console.Write(Table(images.List()));
            return Task.FromResult(0);
        }));
        var references = new Argument<string[]>("REF") { Description = "Image names, name@digest references or (short) ids", Arity = ArgumentArity.OneOrMore };
        var remove = new Command("rm", "Remove images (all names of each)") { references };
        remove.Aliases.Add("rmi");
        remove.SetAction((result, cancellationToken) => RunAsync(result, dataDir, nodeName, async images =>
        {
            var status = 0;
            foreach (var reference in result.GetValue(references)!)
            {
                if (images.Find(reference) is null)
                {
                    Console.Error.WriteLine($"gantry: no such image {reference}");
                    status = 1;
                    continue;
                }
                await images.RemoveAsync(reference, cancellationToken);
                Console.WriteLine($"Deleted: {reference}");
            }
            return status;
        }));
        return new Command("image", "Manage the node's images") { dataDir, nodeName, import, list, remove };
    }

    private static async Task<int> RunAsync(ParseResult result, Option<string> dataDir, Option<string> nodeName, Func<ImageService, Task<int>> action)
    {
        try
        {
            using var images = new ImageService(new NodePaths(result.GetValue(dataDir)!, result.GetValue(nodeName)!));
            return await action(images);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or ArgumentException or System.Text.Json.JsonException or FormatException)
        {
            Console.Error.WriteLine($"gantry: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The images as <c>crictl images</c> prints them: one row per name, 13-digit ids, decimal sizes.</summary>
    internal static string Table(IReadOnlyList<ImageInfo> images)
    {
        var rows = new List<string[]> { new[] { "IMAGE", "TAG", "IMAGE ID", "SIZE" } };
        foreach (var image in images.OrderBy(i => i.RepoTags.FirstOrDefault() ?? "~" + i.Id, StringComparer.Ordinal))
        {
            var id = image.Id["sha256:".Length..][..13];
            var size = HumanSize(image.Size);
            var names = image.RepoTags.Select(t => (t[..t.LastIndexOf(':')], t[(t.LastIndexOf(':') + 1)..])).ToList();
            if (names.Count == 0) names = image.RepoDigests.Select(d => (d[..d.IndexOf('@')], "<none>")).Distinct().ToList();
            if (names.Count == 0) names.Add(("<none>", "<none>"));
            rows.AddRange(names.Select(n => new[] { n.Item1, n.Item2, id, size }));
        }
        // Column layout of Go's tabwriter as crictl configures it: minimum width 20, padding 3.
        var widths = Enumerable.Range(0, 3).Select(c => Math.Max(20, rows.Max(r => r[c].Length) + 3)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < 3; c++) text.Append(row[c].PadRight(widths[c]));
            text.Append(row[3]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Docker's go-units HumanSize: decimal units, four significant digits (2.224MB).</summary>
    internal static string HumanSize(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return value.ToString("G4", CultureInfo.InvariantCulture) + units[unit];
    }

    /// <summary>The same default as <c>gantry server</c>.</summary>
    private static string DefaultDataDir() =>
        Environment.UserName == "root" ? "/var/lib/gantry" : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gantry");
}
