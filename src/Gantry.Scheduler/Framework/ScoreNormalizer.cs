namespace Gantry.Scheduler.Framework;

/// <summary>kube-scheduler's DefaultNormalizeScore: scale so the best node gets 100, optionally reversed.</summary>
internal static class ScoreNormalizer
{
    /// <summary>The highest node score.</summary>
    public const long MaxNodeScore = 100;

    /// <summary>Scales <paramref name="scores"/> in place onto 0..100 (100 - that when <paramref name="reverse"/>).</summary>
    public static void Default(long[] scores, bool reverse)
    {
        var max = scores.Length == 0 ? 0 : scores.Max();
        for (var i = 0; i < scores.Length; i++)
        {
            if (max == 0)
            {
                scores[i] = reverse ? MaxNodeScore : 0;
                continue;
            }
            var scaled = MaxNodeScore * scores[i] / max;
            scores[i] = reverse ? MaxNodeScore - scaled : scaled;
        }
    }
}
