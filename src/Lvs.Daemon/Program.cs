using Lvs.Linux;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon;

public static class Program
{
    public static int Main(string[] args)
    {
        Options? options = Options.Parse(args, out string? error);
        if (options is null)
        {
            Console.Error.WriteLine($"lvsd: {error}");
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }

        Log.MinLevel = options.LogLevel;
        Log.Format = options.LogFormat;
        if (!Capabilities.CanOpenPacketSocket(out string reason))
        {
            Console.Error.WriteLine($"lvsd: {reason}");
            return 1;
        }

        try
        {
            using var host = DaemonHost.Start(options);
            return host.WaitForExit();
        }
        catch (StartupException e)
        {
            Console.Error.WriteLine($"lvsd: {e.Message}");
            return 1;
        }
    }
}

/// <summary>A reason lvsd cannot start, said in one line.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
