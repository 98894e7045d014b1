using System.Collections.Concurrent;
using System.Text;
using Gantry.Node.Runtime;

namespace Gantry.Node.Pods;

/// <summary>
/// Reads an exited container's termination message: its terminationMessagePath file (at most 4096 bytes), or with
/// FallbackToLogsOnError and a failure, the tail of its log (80 lines, 2048 bytes), as the kubelet does.
/// </summary>
internal sealed class TerminationMessages
{
    private const int MaxMessageBytes = 4096;
    private const int MaxLogBytes = 2048;
    private const int MaxLogLines = 80;
    private readonly ConcurrentDictionary<string, string?> _read = new(StringComparer.Ordinal);

    /// <summary>The message of an exited container, or null.</summary>
    public string? Read(ContainerStatus container)
    {
        if (container.State != ContainerState.Exited) return null;
        return _read.GetOrAdd(container.Id, _ => ReadNow(container));
    }

    /// <summary>Forgets removed containers.</summary>
    public void Forget(IEnumerable<string> containerIds)
    {
        foreach (var id in containerIds) _read.TryRemove(id, out _);
    }

    private static string? ReadNow(ContainerStatus container)
    {
        string? message = null;
        if (container.Annotations.TryGetValue(RuntimeLabels.TerminationMessagePath, out var path) && path.Length > 0 && File.Exists(path))
        {
            using var file = File.OpenRead(path);
            var buffer = new byte[MaxMessageBytes];
            var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            message = Encoding.UTF8.GetString(buffer, 0, read);
        }
        var fallback = container.Annotations.TryGetValue(RuntimeLabels.TerminationMessagePolicy, out var policy) && policy == "FallbackToLogsOnError";
        if (string.IsNullOrEmpty(message) && fallback && container.ExitCode is not 0 && File.Exists(container.LogPath)) message = LogTail(container.LogPath);
        return string.IsNullOrEmpty(message) ? null : message;
    }

    // CRI log lines are "<time> <stream> <P|F> <content>": partial lines join the next one.
    private static string LogTail(string logPath)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var line in File.ReadLines(logPath))
        {
            var parts = line.Split(' ', 4);
            if (parts.Length < 3) continue;
            current.Append(parts.Length == 4 ? parts[3] : "");
            if (parts[2] == "P") continue;
            lines.Add(current.ToString());
            current.Clear();
        }
        var text = string.Join('\n', lines.TakeLast(MaxLogLines)) + (lines.Count > 0 ? "\n" : "");
        var bytes = Encoding.UTF8.GetBytes(text);
        return bytes.Length <= MaxLogBytes ? text : Encoding.UTF8.GetString(bytes, bytes.Length - MaxLogBytes, MaxLogBytes);
    }
}
