using System.CommandLine;
using Gantry.Client;
using Gantry.Scheduler;
using Microsoft.Extensions.Logging;

namespace Gantry.Cli;

/// <summary><c>gantry scheduler --kubeconfig K</c>: the scheduler on its own against an API server.</summary>
internal static class SchedulerCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "kubeconfig of the API server", Required = true };
        var name = new Option<string>("--scheduler-name") { Description = "The spec.schedulerName this scheduler serves", DefaultValueFactory = _ => "default-scheduler" };
        var command = new Command("scheduler", "Run the pod scheduler against an API server") { kubeconfig, name };
        command.SetAction(async (result, cancellationToken) =>
        {
            // Warnings, plus the informers' relists: a scheduler that fell behind its watch says so.
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)
                .SetMinimumLevel(LogLevel.Warning).AddFilter("Gantry.Client.Informers", LogLevel.Information));
            using var client = ApiClient.FromKubeconfig(result.GetValue(kubeconfig)!);
            await using var scheduler = new Gantry.Scheduler.Scheduler(client, new SchedulerOptions { SchedulerName = result.GetValue(name)! }, loggers: loggers);
            Console.WriteLine($"gantry: scheduler {result.GetValue(name)} running");
            await scheduler.RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
