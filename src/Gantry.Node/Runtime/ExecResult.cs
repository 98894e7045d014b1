namespace Gantry.Node.Runtime;

/// <summary>The outcome of a synchronous exec.</summary>
/// <param name="ExitCode">The command's exit code (-1 when it timed out and was killed).</param>
/// <param name="Stdout">Its standard output (bounded).</param>
/// <param name="Stderr">Its standard error (bounded).</param>
/// <param name="TimedOut">It ran longer than the timeout.</param>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr, bool TimedOut = false);
