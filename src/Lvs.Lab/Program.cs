using System.Runtime.InteropServices;
using Lvs.Lab;

// lvs-lab: network-namespace labs for lvsd. See Usage below.
const string Usage = """
    usage: lvs-lab demo [--method nat|dr|tun] [--servers N] [--no-offload] [--ipv6]
                 NAT, DR and TUN (IPIP) one after another, or only the given method
           lvs-lab up [--method nat|dr|tun] [--servers N] [--no-offload] [--ipv6]
                 build one lab (default NAT) with lvsd, agents and an rr service; Ctrl-C or SIGTERM removes it
           lvs-lab down PREFIX   remove what a killed run left (namespaces PREFIX-*)
      --no-offload  turn TSO/GSO/checksum offload off on the veths (debugging only)
      --ipv6        also an rr service on [2001:db8:a::1]:80 over the servers' IPv6 addresses
                    (needs an lvsd that forwards IPv6)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

string command = args[0];
if (command == "bench") return Lvs.Lab.Bench.BenchCommand.Run(args[1..], Console.Out, Console.Error);
if (command is not ("demo" or "up" or "down"))
{
    Console.Error.WriteLine($"lvs-lab: unknown command '{command}'\n{Usage}");
    return 2;
}

string? why = Tools.WhyNotRunnable(command == "down" ? ["ip", "kill"] : Tools.ForDemo);
if (why is not null)
{
    Console.Error.WriteLine("lvs-lab: " + why);
    return 1;
}

// Ctrl-C reaches our children too (same process group); whatever survives, we clean up.
// SIGTERM is handled like Ctrl-C: `kill PID` is how a lab started in the background (where the
// shell leaves SIGINT ignored, and the runtime keeps it so) is stopped, and .NET's default for
// SIGTERM exited without removing the namespaces.
var interrupted = new ManualResetEventSlim();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (command == "up" && !interrupted.IsSet)
    {
        interrupted.Set();
        return;
    }

    Console.Error.WriteLine($"lvs-lab: {context.Signal}, removing the lab");
    LabTopology.DisposeAll();
    Environment.Exit(130);
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => LabTopology.DisposeAll();

try
{
    if (command == "down")
    {
        return args.Length == 2 ? LabCommands.Down(args[1], Console.Out) : Fail("down needs the prefix (lvs-xxxxxx)");
    }

    if (!LabCommands.TryParseOptions(args.AsSpan(1), Console.Out, out var options, out var methods, out string? error))
    {
        return Fail(error);
    }

    return command == "demo"
        ? Demo.Run(options, methods, Console.Out)
        : LabCommands.Up(options, methods[0], Console.Out, interrupted);
}
catch (LabException ex)
{
    Console.Error.WriteLine("lvs-lab: " + ex.Message);
    return 1;
}

static int Fail(string message)
{
    Console.Error.WriteLine($"lvs-lab: {message}");
    return 2;
}
