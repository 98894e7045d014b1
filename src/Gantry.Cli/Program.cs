using System.CommandLine;
using Gantry.Cli;

var root = new RootCommand("Gantry: a Kubernetes-compatible container orchestrator in one program.");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(ControllersCommand.Create());
root.Subcommands.Add(SchedulerCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
root.Subcommands.Add(ImageCommand.Create());
root.Subcommands.Add(TokenCommand.Create());
return await root.Parse(args).InvokeAsync();
