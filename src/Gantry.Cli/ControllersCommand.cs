using System.CommandLine;
using Gantry.Client;
using Gantry.Client.LeaderElection;
using Gantry.Controllers;
using Gantry.Controllers.ServiceAccount;

namespace Gantry.Cli;

/// <summary><c>gantry controllers --kubeconfig K</c>: the controller manager on its own, leader-elected through a Lease.</summary>
internal static class ControllersCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "kubeconfig of the API server", Required = true };
        var command = new Command("controllers", "Run the workload controllers against an API server") { kubeconfig };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = ApiClient.FromKubeconfig(result.GetValue(kubeconfig)!);
            var identity = $"{Environment.MachineName}_{Guid.NewGuid():N}";
            var elector = new LeaseLeaderElector(client, new LeaderElectionOptions { LeaseName = "gantry-controller-manager", Identity = identity });
            var rootCa = RootCaPublisherOptions.FromKubeconfig(result.GetValue(kubeconfig)!).RootCaPem;
            await using var manager = new ControllerManager(client, ControllerCatalog.All.Values, elector, new ControllerOptions { RootCaPem = rootCa });
            Console.WriteLine($"gantry: controllers running as {identity}");
            await manager.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
