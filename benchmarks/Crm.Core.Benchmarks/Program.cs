using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with --filter, e.g.
//   dotnet run -c Release --project benchmarks/Crm.Core.Benchmarks -- --filter '*Rfm*' --job short
// The storage scale figures (docs/scaling.md) are a one-off measurement on a real database instead:
//   dotnet run -c Release --project benchmarks/Crm.Core.Benchmarks -- scale --postgres "Host=...;Username=postgres"
if (args.Length > 0 && args[0] == "scale")
{
    return await Crm.Core.Benchmarks.Scale.StorageScale.RunAsync(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
