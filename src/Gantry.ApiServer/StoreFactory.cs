using Gantry.Storage;
using Gantry.Storage.Memory;
using Gantry.Storage.Sqlite;

namespace Gantry.ApiServer;

/// <summary>Opens the store named by <c>--datastore-endpoint</c>.</summary>
public static class StoreFactory
{
    /// <summary>SQLite in the data dir by default; <c>sqlite:///path/state.db</c>; <c>memory://</c> for throwaway servers.</summary>
    public static async Task<IStore> OpenAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        var endpoint = options.DatastoreEndpoint;
        if (endpoint is "memory://") return new MemoryStore();
        string path;
        if (string.IsNullOrEmpty(endpoint)) path = Path.Combine(options.DataDir, "db", "state.db");
        else if (endpoint.StartsWith("sqlite://", StringComparison.Ordinal)) path = endpoint["sqlite://".Length..];
        else throw new ArgumentException($"unsupported --datastore-endpoint \"{endpoint}\" (supported: sqlite://PATH, memory://)");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return await SqliteStore.OpenAsync(path, new SqliteStoreOptions(), cancellationToken);
    }
}
