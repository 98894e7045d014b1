using System.Collections.Concurrent;
using Gantry.Node.Pods;

namespace Gantry.Node.Tests.Pods;

/// <summary>File systems whose capacity and availability a test sets per path (unknown paths: a roomy disk).</summary>
internal sealed class SimulatedDisks : IFileSystemStats
{
    private readonly ConcurrentDictionary<string, FileSystemUsage> _usage = new(StringComparer.Ordinal);

    public void Set(string path, long capacity, long available) => _usage[path] = new FileSystemUsage(capacity, available);

    public FileSystemUsage Get(string path) => _usage.GetValueOrDefault(path, new FileSystemUsage(1000, 900));
}
