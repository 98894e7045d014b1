using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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
    private readonly ParsedFileCache<SandboxRecord> sandboxes = new();
    private readonly ParsedFileCache<ContainerRecord> containers = new();

    /// <summary>The directory of sandbox <paramref name="id"/>.</summary>
    public string SandboxDirectory(string id) => Path.Combine(paths.SandboxesDir, CheckId(id));

    /// <summary>The directory (bundle, overlay dirs, monitor files) of container <paramref name="id"/>.</summary>
    public string ContainerDirectory(string id) => Path.Combine(paths.ContainersDir, CheckId(id));

    /// <summary>Saves a sandbox record.</summary>
    public void Save(SandboxRecord record) => Write(Path.Combine(SandboxDirectory(record.Id), SandboxFile), record, RuntimeStoreJson.Default.SandboxRecord);

    /// <summary>Saves a container record.</summary>
    public void Save(ContainerRecord record) => Write(Path.Combine(ContainerDirectory(record.Id), ContainerFile), record, RuntimeStoreJson.Default.ContainerRecord);

    /// <summary>The sandbox record, null when there is none.</summary>
    public SandboxRecord? FindSandbox(string id) => sandboxes.Get(Path.Combine(SandboxDirectory(id), SandboxFile), path => Read(path, RuntimeStoreJson.Default.SandboxRecord));

    /// <summary>The container record, null when there is none.</summary>
    public ContainerRecord? FindContainer(string id) => containers.Get(Path.Combine(ContainerDirectory(id), ContainerFile), path => Read(path, RuntimeStoreJson.Default.ContainerRecord));

    /// <summary>Every sandbox record.</summary>
    public IReadOnlyList<SandboxRecord> Sandboxes() => ReadAll(paths.SandboxesDir, SandboxFile, sandboxes, RuntimeStoreJson.Default.SandboxRecord);

    /// <summary>Every container record.</summary>
    public IReadOnlyList<ContainerRecord> Containers() => ReadAll(paths.ContainersDir, ContainerFile, containers, RuntimeStoreJson.Default.ContainerRecord);

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

    private static void Write<T>(string path, T record, JsonTypeInfo<T> type)
    {
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(record, type));
        File.Move(temp, path, overwrite: true);
    }

    private static T? Read<T>(string path, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), type);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static List<T> ReadAll<T>(string directory, string file, ParsedFileCache<T> cache, JsonTypeInfo<T> type)
        where T : class
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var files = Directory.EnumerateDirectories(directory).Select(dir => Path.Combine(dir, file)).ToList();
        cache.Retain(files.ToHashSet(StringComparer.Ordinal));
        return files.Select(path => cache.Get(path, p => Read(p, type))).OfType<T>().ToList();
    }
}
