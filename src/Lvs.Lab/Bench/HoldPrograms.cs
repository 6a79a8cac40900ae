using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Lvs.Lab.Bench;

/// <summary>
/// The two small programs of the idle-connection phase, run as <c>lvs-lab bench hold-server</c>
/// on the real servers and <c>lvs-lab bench hold-client</c> in the client namespace. A process
/// here cannot open more than 20,000 files, so the bench starts several of each; the servers
/// share their port with SO_REUSEPORT. Both are bounded in time and end on SIGTERM.
/// </summary>
internal static class HoldPrograms
{
    /// <summary>Sockets one hold process keeps at most (under the 20,000-file limit).</summary>
    public const int PerProcess = 18_000;

    private const int SolSocket = 1; // SOL_SOCKET, asm-generic/socket.h
    private const int SoReusePort = 15; // SO_REUSEPORT, asm-generic/socket.h

    /// <summary>
    /// <c>hold-server PORT[,PORT...] SECONDS</c>: accepts connections on 0.0.0.0:PORT (each port)
    /// and keeps them open, never reading, for at most SECONDS; prints "listening" once bound.
    /// </summary>
    public static int Server(ReadOnlySpan<string> args, TextWriter output)
    {
        ushort[]? ports = args.Length == 2 ? ParsePorts(args[0]) : null;
        if (ports is null || !int.TryParse(args[1], CultureInfo.InvariantCulture, out int seconds))
        {
            output.WriteLine("usage: lvs-lab bench hold-server PORT[,PORT...] SECONDS");
            return 2;
        }

        var held = new List<Socket>(PerProcess);
        foreach (ushort port in ports)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            listener.Bind(new IPEndPoint(IPAddress.Any, port));
            listener.Listen(65535); // capped by net.core.somaxconn, which the bench raises
            new Thread(() => Accept(listener, held)) { IsBackground = true }.Start();
        }

        output.WriteLine("listening");
        output.Flush();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return 0;
    }

    private static void Accept(Socket listener, List<Socket> held)
    {
        try
        {
            while (true)
            {
                Socket s = listener.Accept();
                lock (held)
                {
                    if (held.Count >= PerProcess)
                    {
                        s.Dispose();
                        continue;
                    }

                    held.Add(s);
                }
            }
        }
        catch (SocketException)
        {
            // the process is ending
        }
    }

    private static ushort[]? ParsePorts(string text)
    {
        var ports = new List<ushort>();
        foreach (string p in text.Split(','))
        {
            if (!ushort.TryParse(p, CultureInfo.InvariantCulture, out ushort port) || port == 0)
            {
                return null;
            }

            ports.Add(port);
        }

        return [.. ports];
    }

    /// <summary>
    /// <c>hold-client SOURCE TARGET PORT COUNT SECONDS</c>: opens COUNT connections from SOURCE to
    /// TARGET:PORT (200 connects in flight, 20 s each at most, none started after half of SECONDS), prints "held N failed M", keeps
    /// them open until SECONDS have passed since the start, then exits (closing them).
    /// </summary>
    public static int Client(ReadOnlySpan<string> args, TextWriter output)
    {
        if (args.Length != 5 || !IPAddress.TryParse(args[0], out var source) || !IPAddress.TryParse(args[1], out var target)
            || !ushort.TryParse(args[2], CultureInfo.InvariantCulture, out ushort port)
            || !int.TryParse(args[3], CultureInfo.InvariantCulture, out int count) || count is < 1 or > PerProcess
            || !int.TryParse(args[4], CultureInfo.InvariantCulture, out int seconds))
        {
            output.WriteLine($"usage: lvs-lab bench hold-client SOURCE TARGET PORT COUNT(1..{PerProcess}) SECONDS");
            return 2;
        }

        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var sockets = new Socket?[count];
        int failed = 0;
        // Few in flight, so the servers' accept queues do not overflow (a dropped SYN costs a 1 s retry).
        using var gate = new SemaphoreSlim(200);
        var tasks = new Task[count];
        var stopStarting = DateTime.UtcNow.AddSeconds(seconds / 2.0);
        for (int i = 0; i < count; i++)
        {
            int n = i;
            gate.Wait();
            if (DateTime.UtcNow > stopStarting)
            {
                gate.Release();
                Interlocked.Add(ref failed, count - i);
                tasks = tasks[..i];
                break;
            }

            tasks[i] = Task.Run(async () =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    s.Bind(new IPEndPoint(source, 0));
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                    await s.ConnectAsync(new IPEndPoint(target, port), timeout.Token);
                    sockets[n] = s;
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    s.Dispose();
                    Interlocked.Increment(ref failed);
                }
                finally
                {
                    gate.Release();
                }
            });
        }

        Task.WaitAll(tasks);
        output.WriteLine($"held {count - failed} failed {failed}");
        output.Flush();
        TimeSpan left = deadline - DateTime.UtcNow;
        if (left > TimeSpan.Zero)
        {
            Thread.Sleep(left);
        }

        GC.KeepAlive(sockets);
        return 0;
    }
}
