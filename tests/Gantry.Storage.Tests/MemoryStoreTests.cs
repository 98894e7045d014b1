using Gantry.Storage.Memory;

namespace Gantry.Storage.Tests;

public sealed class MemoryStoreTests : StoreContractTests
{
    protected override Task<IStore> OpenStoreAsync(int watchCapacity = 10_000) =>
        Task.FromResult<IStore>(new MemoryStore(watchCapacity));
}
