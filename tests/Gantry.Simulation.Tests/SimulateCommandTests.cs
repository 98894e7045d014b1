using Gantry.Cli;

namespace Gantry.Simulation.Tests;

public sealed class SimulateCommandTests
{
    [Fact]
    public void SimulateNodes_TakesCapacityQuantitiesAndALeaseInterval()
    {
        var result = SimulateCommand.CreateNodes().Parse("--kubeconfig k.yaml --count 50 --cpu 7500m --memory 32Gi --pods 64 --name-prefix edge- --lease-interval 1m30s");
        Assert.Empty(result.Errors);
        var template = SimulateCommand.NodeTemplate(result);
        Assert.Equal("edge-", template.Name);
        Assert.Equal("7500m", template.Cpu);
        Assert.Equal("32Gi", template.Memory);
        Assert.Equal(64, template.Pods);
        Assert.Equal(TimeSpan.FromSeconds(90), template.LeaseInterval);
    }

    [Fact]
    public void SimulateNodes_DefaultsToKubeletValues()
    {
        var template = SimulateCommand.NodeTemplate(SimulateCommand.CreateNodes().Parse("--kubeconfig k.yaml --count 3"));
        Assert.Equal(("hollow-", "8", "32Gi", 110, TimeSpan.FromSeconds(10)),
            (template.Name, template.Cpu, template.Memory, template.Pods, template.LeaseInterval));
    }

    [Theory]
    [InlineData("--count 3 --memory 32Gx")]
    [InlineData("--count 3 --cpu -2")]
    [InlineData("--count 0")]
    [InlineData("--count 3 --lease-interval 10")]
    [InlineData("--cpu 8")]
    public void SimulateNodes_RejectsBadFlags(string flags) =>
        Assert.NotEmpty(SimulateCommand.CreateNodes().Parse($"--kubeconfig k.yaml {flags}").Errors);

    [Theory]
    [InlineData("40s", 40_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("0", 0)]
    public void GoDurations_ParseLikeKubernetesFlags(string text, int milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }
}
