using System.CommandLine;
using Gantry.Client;
using Gantry.Simulation;

namespace Gantry.Cli;

/// <summary>
/// <c>gantry simulate nodes --kubeconfig K --count N</c>: hollow nodes (kubemark's hollow kubelets) against an API
/// server, to load-test and failure-test the control plane without container runtimes.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create() => new("simulate", "Simulate cluster members against an API server") { CreateNodes() };

    /// <summary>The <c>nodes</c> subcommand, on its own so its flags can be parsed in tests.</summary>
    internal static Command CreateNodes()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "kubeconfig of the API server", Required = true };
        var count = new Option<int>("--count") { Description = "How many hollow nodes to run", Required = true };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() <= 0) r.AddError("--count must be at least 1");
        });
        var cpu = Quantity("--cpu", "CPU capacity of each node", "8");
        var memory = Quantity("--memory", "Memory capacity of each node", "32Gi");
        var pods = new Option<int>("--pods") { Description = "Pods each node accepts (--max-pods)", DefaultValueFactory = _ => 110 };
        pods.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() <= 0) r.AddError("--pods must be at least 1");
        });
        var prefix = new Option<string>("--name-prefix") { Description = "Node names are this prefix plus 0..count-1", DefaultValueFactory = _ => "hollow-" };
        var leaseInterval = GoDuration.Option("--lease-interval", "How often each node renews its Lease", TimeSpan.FromSeconds(10));
        var command = new Command("nodes", "Run hollow nodes (registered, heartbeating, running their pods without containers) until Ctrl-C")
        {
            kubeconfig, count, cpu, memory, pods, prefix, leaseInterval,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = ApiClient.FromKubeconfig(result.GetValue(kubeconfig)!);
            var cluster = new HollowCluster(client, result.GetValue(count), NodeTemplate(result));
            var running = cluster.RunAsync(cancellationToken);
            await Task.WhenAny(cluster.WaitForRegistrationAsync(cancellationToken), running);
            if (!cancellationToken.IsCancellationRequested)
                Console.WriteLine($"gantry: {cluster.Nodes.Count} hollow nodes registered ({cluster.Nodes[0].Name}..{cluster.Nodes[^1].Name})");
            await running;
            return 0;
        });
        return command;
    }

    /// <summary>The options every node shares, from parsed flags (its Name is the name prefix, as HollowCluster expects).</summary>
    internal static HollowNodeOptions NodeTemplate(ParseResult result) => new()
    {
        Name = result.GetRequiredValue<string>("--name-prefix"),
        Cpu = result.GetRequiredValue<string>("--cpu"),
        Memory = result.GetRequiredValue<string>("--memory"),
        Pods = result.GetRequiredValue<int>("--pods"),
        LeaseInterval = result.GetRequiredValue<TimeSpan>("--lease-interval"),
    };

    private static Option<string> Quantity(string name, string description, string defaultValue)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>();
            if (!Gantry.Api.Validation.Quantity.TryParse(text, out var value) || value <= 0)
                r.AddError($"{name} \"{text}\" is not a positive quantity (e.g. 8, 7500m, 32Gi)");
        });
        return option;
    }
}
