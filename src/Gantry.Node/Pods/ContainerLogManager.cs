using System.Globalization;
using System.IO.Compression;
using Gantry.Node.Runtime;
using Microsoft.Extensions.Logging;

namespace Gantry.Node.Pods;

/// <summary>
/// The kubelet's container log manager (pkg/kubelet/logs): every monitor interval, the log of each running container
/// that reached <see cref="NodeAgentOptions.ContainerLogMaxSize"/> is renamed to <c>&lt;log&gt;.&lt;yyyyMMdd-HHmmss&gt;</c>
/// and the runtime is asked to reopen it (CRI ReopenContainerLog). Older rotated files are gzipped (all but the newest,
/// which the monitor may still have been writing when it was renamed) and the oldest deleted, so at most
/// <see cref="NodeAgentOptions.ContainerLogMaxFiles"/> files remain per container, the current one included.
/// </summary>
internal sealed partial class ContainerLogManager
{
    private const string CompressSuffix = ".gz";
    private const string TmpSuffix = ".tmp";
    private const string TimestampFormat = "yyyyMMdd-HHmmss";
    private readonly IContainerRuntime _runtime;
    private readonly long _maxSize;
    private readonly int _maxFiles;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>A manager rotating at <paramref name="maxSize"/> bytes and keeping <paramref name="maxFiles"/> files.</summary>
    public ContainerLogManager(IContainerRuntime runtime, long maxSize, int maxFiles, TimeProvider time, ILogger logger)
    {
        // The kubelet's config validation: one current file plus at least one rotated one.
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSize);
        _runtime = runtime;
        _maxSize = maxSize;
        _maxFiles = maxFiles;
        _time = time;
        _logger = logger;
    }

    /// <summary>One pass over the running containers; a container whose rotation fails is retried on the next pass.</summary>
    public async Task RotateLogsAsync(CancellationToken cancellationToken)
    {
        foreach (var container in await _runtime.ListContainersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (container.State != ContainerState.Running || container.LogPath.Length == 0) continue;
            try
            {
                await RotateIfNeededAsync(container.Id, container.LogPath, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRotationFailed(_logger, ex, container.Id, container.LogPath);
            }
        }
    }

    private async Task RotateIfNeededAsync(string id, string log, CancellationToken cancellationToken)
    {
        var info = new FileInfo(log);
        if (!info.Exists)
        {
            // A rotation whose reopen failed half-way (or an agent killed between rename and reopen) left no current
            // file: have the monitor create it again, as the kubelet does.
            await _runtime.ReopenContainerLogAsync(id, cancellationToken).ConfigureAwait(false);
            info.Refresh();
            if (!info.Exists) return;
        }

        if (info.Length < _maxSize) return;
        var rotated = log + "." + _time.GetUtcNow().UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
        // Timestamps have one-second resolution: a second rotation within the same second would replace the first one's
        // file (the kubelet's rename would), so it waits for the next pass instead.
        if (File.Exists(rotated) || File.Exists(rotated + CompressSuffix)) return;
        foreach (var file in CleanUp(log).Where(f => !f.EndsWith(CompressSuffix, StringComparison.Ordinal)))
        {
            Compress(file);
        }

        await RotateLatestAsync(id, log, rotated, cancellationToken).ConfigureAwait(false);
    }

    // Leftovers (.tmp files of an interrupted compression or of the monitor's reopen, originals whose .gz exists) go,
    // then the oldest rotated files until MaxFiles - 2 remain: with the current file and the one about to be rotated
    // that makes MaxFiles.
    private List<string> CleanUp(string log)
    {
        var directory = Path.GetDirectoryName(log)!;
        var prefix = Path.GetFileName(log) + ".";
        // Filtered by hand: .NET's "name.*" pattern also matches "name" itself (DOS extension semantics).
        var files = Directory.EnumerateFiles(directory).Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var kept = new List<string>();
        foreach (var file in files)
        {
            var unused = file.EndsWith(TmpSuffix, StringComparison.Ordinal)
                || (!file.EndsWith(CompressSuffix, StringComparison.Ordinal) && files.Contains(file + CompressSuffix, StringComparer.Ordinal));
            if (unused) File.Delete(file);
            else kept.Add(file);
        }

        var excess = kept.Count - Math.Max(0, _maxFiles - 2);
        foreach (var file in kept.Take(Math.Max(0, excess)))
        {
            File.Delete(file);
        }

        return kept.Skip(Math.Max(0, excess)).ToList();
    }

    // Written next to the file under .tmp and renamed, so a crash never leaves a truncated .gz that looks complete.
    private static void Compress(string file)
    {
        var temporary = file + TmpSuffix;
        try
        {
            using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var target = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            using (var gzip = new GZipStream(target, CompressionLevel.Optimal))
            {
                source.CopyTo(gzip);
            }

            File.Move(temporary, file + CompressSuffix, overwrite: true);
            File.Delete(file);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private async Task RotateLatestAsync(string id, string log, string rotated, CancellationToken cancellationToken)
    {
        File.Move(log, rotated);
        try
        {
            await _runtime.ReopenContainerLogAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Put the file back so the next pass rotates it again (the monitor still writes to it either way).
            if (!File.Exists(log)) File.Move(rotated, log);
            throw;
        }

        LogRotated(_logger, id, rotated);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the log of container {ContainerId} to {RotatedPath}")]
    private static partial void LogRotated(ILogger logger, string containerId, string rotatedPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed to rotate the log of container {ContainerId} ({Path})")]
    private static partial void LogRotationFailed(ILogger logger, Exception exception, string containerId, string path);
}
