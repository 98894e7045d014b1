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
// SIGTERM/Ctrl-C cancel the running command, which then gets this long to stop cleanly (flush the store, remove the
// node's proxy table and DNS interface) before the process is ended anyway; System.CommandLine's default is 2 s.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
