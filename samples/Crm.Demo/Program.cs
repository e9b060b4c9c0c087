using Crm.Demo.Cli;

// The demo host: a small command dispatcher (see Cli/CliApp.cs). No arguments runs the guided demo;
// `rfm` scores a purchase CSV; `--help` lists every command with examples.
return CliApp.Run(args);
