// The server-process harness (GantryServer, Kubectl, Paths) is shared with the other suites from Gantry.Testing.
global using Gantry.Testing.Processes;
