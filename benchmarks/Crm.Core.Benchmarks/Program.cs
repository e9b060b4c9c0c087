using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with --filter, e.g.
//   dotnet run -c Release --project benchmarks/Crm.Core.Benchmarks -- --filter '*Rfm*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
