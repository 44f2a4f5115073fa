using CloudSentinel.Silo;
using Microsoft.Extensions.Hosting;

using var host = await SiloHost.BuildAsync(args);
await host.RunAsync();
