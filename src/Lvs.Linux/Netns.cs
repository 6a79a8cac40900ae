using Lvs.Linux.Interop;

namespace Lvs.Linux;

/// <summary>
/// Moves the calling thread into a named network namespace (one `ip netns add` made, under
/// /var/run/netns). setns(2) changes only the calling thread, and sockets keep the namespace they
/// were created in, so a socket opened inside <see cref="Run{T}"/> can be used from any thread.
/// For tests and the lab; the daemon runs in the namespace it was started in.
/// </summary>
public static class NetNs
{
    /// <summary>
    /// Enters namespace <paramref name="name"/> on the calling thread and returns a scope whose
    /// Dispose moves the thread back. Use it on a thread you own (not a pool thread, which would
    /// carry the namespace into unrelated work if the scope leaked).
    /// </summary>
    public static IDisposable Enter(string name)
    {
        int original = OpenNs("/proc/thread-self/ns/net");
        try
        {
            Join($"/var/run/netns/{name}");
            return new Scope(original);
        }
        catch
        {
            _ = Libc.Close(original);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread inside namespace <paramref name="name"/> and
    /// returns its result; an exception it throws is rethrown here.
    /// </summary>
    public static T Run<T>(string name, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // The thread ends right after, so there is no need to move it back.
                Join($"/var/run/netns/{name}");
                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = $"netns {name}",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return result;
    }

    private static void Join(string path)
    {
        int fd = OpenNs(path);
        try
        {
            if (Packet.SetNs(fd, Packet.CLONE_NEWNET) != 0)
            {
                throw LinuxException.FromLast($"setns({path})");
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    private static int OpenNs(string path)
    {
        int fd = Packet.Open(path, Packet.O_RDONLY | Packet.O_CLOEXEC);
        return fd >= 0 ? fd : throw LinuxException.FromLast($"open({path})");
    }

    private sealed class Scope(int original) : IDisposable
    {
        private int _fd = original;

        public void Dispose()
        {
            int fd = Interlocked.Exchange(ref _fd, -1);
            if (fd < 0)
            {
                return;
            }

            try
            {
                if (Packet.SetNs(fd, Packet.CLONE_NEWNET) != 0)
                {
                    throw LinuxException.FromLast("setns(back to the original namespace)");
                }
            }
            finally
            {
                _ = Libc.Close(fd);
            }
        }
    }
}
