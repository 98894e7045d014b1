namespace Gantry.Node.Runtime;

/// <summary>
/// <c>runc start</c> done in process (a runc execution is about 10 ms of every container start): the init of a created
/// container waits in an open of runc's exec FIFO for writing; opening it for reading lets the init write one byte and
/// exec the container's process, which closes the FIFO (close-on-exec). As runc, this reads until that end of file and
/// then removes the FIFO, which is what makes runc (and <see cref="RuncClient"/>) report the container as running.
/// </summary>
internal static class ExecFifo
{
    /// <summary>runc's exec FIFO in a container's state directory.</summary>
    public const string FileName = "exec.fifo";

    // As runc start: while nothing arrives, check every 100 ms that the init still lives.
    private const int LivenessIntervalMs = 100;

    /// <summary>Releases the init waiting on <paramref name="fifoPath"/>; <paramref name="initAlive"/> tells whether it still lives.</summary>
    public static Task StartAsync(string fifoPath, Func<bool> initAlive, CancellationToken cancellationToken)
    {
        // Non-blocking, so the open never waits for a writer (an init that died would never come); poll waits instead.
        var fd = NativeMethods.Open(fifoPath, NativeMethods.ORdonly | NativeMethods.ONonblock | NativeMethods.OCloexec);
        if (fd < 0)
        {
            // runc start removes the FIFO: without it the container was started already.
            throw new InvalidOperationException("cannot start an already running container");
        }

        // Not cancelled before it runs (the fd would leak): the loop sees the token itself. A thread of its own, since an
        // init that hangs before its exec would hold it until it dies.
        return Task.Factory.StartNew(
            () =>
            {
                try
                {
                    if (!ReadUntilExec(fd, initAlive, cancellationToken))
                    {
                        throw new InvalidOperationException("container process is already dead");
                    }
                }
                finally
                {
                    NativeMethods.Close(fd);
                }

                File.Delete(fifoPath);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static int ReadOnce(int fd) => NativeMethods.ReadNonBlocking(fd, stackalloc byte[16], "runc's exec FIFO");

    // True once the init's byte arrived (and the FIFO reached end of file: the process exec'd or died after it).
    private static bool ReadUntilExec(int fd, Func<bool> initAlive, CancellationToken cancellationToken)
    {
        var released = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A reader opened before any writer gets no POLLHUP until a writer came and went, so this waits for the init.
            var events = NativeMethods.PollInput(fd, LivenessIntervalMs);
            if (events == 0)
            {
                if (!initAlive())
                {
                    // The init may have written and exited between two polls: what it left decides.
                    return released || ReadOnce(fd) > 0;
                }

                continue;
            }

            var read = ReadOnce(fd);
            if (read > 0)
            {
                released = true;
            }
            else if (read == 0)
            {
                return released;
            }
        }
    }
}
