namespace Gantry.Bench.Measurement;

/// <summary>The program's output: one line per figure, plus problems that make the run fail (errors, lost events).</summary>
internal sealed class Report(TextWriter output)
{
    private readonly List<string> _failures = [];

    public TextWriter Output => output;

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Prints a figure, with "target met" or "target MISSED" when it has a target.</summary>
    public void Figure(string name, string text, bool? targetMet = null, string? target = null)
    {
        var verdict = targetMet switch
        {
            true => $" [target {target}: met]",
            false => $" [target {target}: MISSED]",
            null => "",
        };
        output.WriteLine($"{name}: {text}{verdict}");
        output.Flush();
    }

    /// <summary>Prints a note (not a figure) prefixed with '#'.</summary>
    public void Note(string text)
    {
        output.WriteLine($"# {text}");
        output.Flush();
    }

    /// <summary>Records a broken run: requests failed or events were lost.</summary>
    public void Fail(string what)
    {
        _failures.Add(what);
        output.WriteLine($"FAILED: {what}");
        output.Flush();
    }

    /// <summary>Fails when a load phase had failed requests.</summary>
    public void CheckErrors(string phase, LoadResult result)
    {
        if (result.Failed > 0) Fail($"{phase}: {result.Failed} failed requests, first: {result.FirstError}");
    }
}
