using System.Net.Sockets;
using System.Runtime.InteropServices;
using Lvs.Linux;

namespace Lvs.Agent.Feedback;

/// <summary>lvs-agent feedback in the foreground until SIGINT or SIGTERM.</summary>
internal static class FeedbackHost
{
    public static int Run(FeedbackOptions options)
    {
        FeedbackServer server;
        try
        {
            server = new FeedbackServer(options);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"lvs-agent: cannot listen on {options.Bind} port {options.Port}: {e.Message}");
            return 1;
        }

        using var stop = new ManualResetEventSlim();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        server.StartAsync().GetAwaiter().GetResult();
        stop.Wait();
        Log.Info("feedback stopping", ("served", server.Served));
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;

        void Stop(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            stop.Set();
        }
    }
}
