using System.Runtime.CompilerServices;

// The allocators are tested directly (concurrency, rebuild after restart).
[assembly: InternalsVisibleTo("Gantry.ApiServer.Tests")]
