using System.Text.Json;

namespace Gantry.Node.Runtime;

/// <summary>
/// The engine's records on disk: <c>{SandboxesDir}/&lt;id&gt;/sandbox.json</c> and <c>{ContainersDir}/&lt;id&gt;/container.json</c>.
/// Written atomically (temp file + rename) so an agent killed mid-write never leaves half a record; read through a
/// <see cref="ParsedFileCache{T}"/>, so listing every record parses only the ones that changed.
/// </summary>
internal sealed class RuntimeStore(NodePaths paths)
{
    private const string SandboxFile = "sandbox.json";
    private const string ContainerFile = "container.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ParsedFileCache<SandboxRecord> sandboxes = new();
    private readonly ParsedFileCache<ContainerRecord> containers = new();

    /// <summary>The directory of sandbox <paramref name="id"/>.</summary>
    public string SandboxDirectory(string id) => Path.Combine(paths.SandboxesDir, CheckId(id));

    /// <summary>The directory (bundle, overlay dirs, monitor files) of container <paramref name="id"/>.</summary>
    public string ContainerDirectory(string id) => Path.Combine(paths.ContainersDir, CheckId(id));

    /// <summary>Saves a sandbox record.</summary>
    public void Save(SandboxRecord record) => Write(Path.Combine(SandboxDirectory(record.Id), SandboxFile), record);

    /// <summary>Saves a container record.</summary>
    public void Save(ContainerRecord record) => Write(Path.Combine(ContainerDirectory(record.Id), ContainerFile), record);

    /// <summary>The sandbox record, null when there is none.</summary>
    public SandboxRecord? FindSandbox(string id) => sandboxes.Get(Path.Combine(SandboxDirectory(id), SandboxFile), Read<SandboxRecord>);

    /// <summary>The container record, null when there is none.</summary>
    public ContainerRecord? FindContainer(string id) => containers.Get(Path.Combine(ContainerDirectory(id), ContainerFile), Read<ContainerRecord>);

    /// <summary>Every sandbox record.</summary>
    public IReadOnlyList<SandboxRecord> Sandboxes() => ReadAll(paths.SandboxesDir, SandboxFile, sandboxes);

    /// <summary>Every container record.</summary>
    public IReadOnlyList<ContainerRecord> Containers() => ReadAll(paths.ContainersDir, ContainerFile, containers);

    /// <summary>True for ids this engine could have made (lowercase hex); others name nothing.</summary>
    public static bool IsValidId(string id) => id.Length > 0 && id.All(char.IsAsciiHexDigitLower);

    private static string CheckId(string id)
    {
        // Ids become path segments: anything but our own hex ids must not reach the file system.
        if (!IsValidId(id))
        {
            throw new KeyNotFoundException($"no such id: {id}");
        }

        return id;
    }

    private static void Write<T>(string path, T record)
    {
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(record, Json));
        File.Move(temp, path, overwrite: true);
    }

    private static T? Read<T>(string path)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static List<T> ReadAll<T>(string directory, string file, ParsedFileCache<T> cache)
        where T : class
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var files = Directory.EnumerateDirectories(directory).Select(dir => Path.Combine(dir, file)).ToList();
        cache.Retain(files.ToHashSet(StringComparer.Ordinal));
        return files.Select(path => cache.Get(path, Read<T>)).OfType<T>().ToList();
    }
}
