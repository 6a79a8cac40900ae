using System.Runtime.InteropServices;
using System.Text;
using Lvs.Linux.Interop;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>The kernel's verifier refused a program; <see cref="Exception.Message"/> carries its log.</summary>
public sealed class BpfVerifierException(string message, int errno, string log) : Exception(message)
{
    /// <summary>The errno of BPF_PROG_LOAD.</summary>
    public int Errno { get; } = errno;

    /// <summary>The verifier log (log level 1), the instruction it stopped at last.</summary>
    public string Log { get; } = log;
}

/// <summary>A loaded BPF program (BPF_PROG_LOAD), freed when the fd and every attachment are gone.</summary>
public sealed unsafe class BpfProgram : IDisposable
{
    private const int LogSize = 1 << 20;
    private int _fd;

    private BpfProgram(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>The program's file descriptor.</summary>
    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(BpfProgram));

    /// <summary>The name given to the kernel (bpftool and `ip link` show it).</summary>
    public string Name { get; }

    /// <summary>
    /// Loads an XDP program. The first attempt runs without a log (the fast path); when the
    /// verifier refuses, the load is repeated with a 1 MiB log and a <see cref="BpfVerifierException"/>
    /// carries the log's tail.
    /// </summary>
    public static BpfProgram LoadXdp(string name, ReadOnlySpan<BpfInsn> insns, string license = "GPL")
    {
        int fd = TryLoad(name, insns, license, null, out int errno);
        if (fd >= 0)
        {
            return new BpfProgram(fd, name);
        }

        if (errno is Errno.EPERM)
        {
            throw new LinuxException($"bpf(BPF_PROG_LOAD {name})", errno);
        }

        byte[] log = new byte[LogSize];
        fd = TryLoad(name, insns, license, log, out errno);
        if (fd >= 0)
        {
            // Refused once, accepted with a log: do not pretend it failed.
            return new BpfProgram(fd, name);
        }

        int end = Array.IndexOf(log, (byte)0);
        string text = Encoding.ASCII.GetString(log, 0, end < 0 ? log.Length : end);
        string tail = text.Length > 4000 ? text[^4000..] : text;
        throw new BpfVerifierException(
            $"bpf(BPF_PROG_LOAD {name}): {Interop.Errno.Describe(errno)}; verifier log:\n{tail}", errno, text);
    }

    /// <summary>
    /// Runs the program once on <paramref name="frame"/> with BPF_PROG_TEST_RUN (no interface
    /// involved; rx_queue_index 0) and returns its XDP action.
    /// </summary>
    public int TestRun(ReadOnlySpan<byte> frame)
    {
        byte[] output = new byte[frame.Length + 512];
        fixed (byte* input = frame)
        fixed (byte* outp = output)
        {
            var attr = new Bpf.TestRunAttr
            {
                ProgFd = (uint)Fd,
                DataIn = (ulong)input,
                DataSizeIn = (uint)frame.Length,
                DataOut = (ulong)outp,
                DataSizeOut = (uint)output.Length,
                Repeat = 1,
            };
            if (Bpf.Call(Bpf.BPF_PROG_TEST_RUN, ref attr) != 0)
            {
                throw LinuxException.FromLast("bpf(BPF_PROG_TEST_RUN)");
            }

            return (int)attr.Retval;
        }
    }

    /// <summary>Closes our reference (an attached program stays until detached).</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }

    private static int TryLoad(string name, ReadOnlySpan<BpfInsn> insns, string license, byte[]? log, out int errno)
    {
        byte[] lic = Encoding.ASCII.GetBytes(license + "\0");
        fixed (BpfInsn* code = insns)
        fixed (byte* l = lic)
        fixed (byte* logBuf = log)
        {
            var attr = new Bpf.ProgLoadAttr
            {
                ProgType = Bpf.BPF_PROG_TYPE_XDP,
                InsnCount = (uint)insns.Length,
                Insns = (ulong)code,
                License = (ulong)l,
                LogLevel = log is null ? 0u : 1u,
                LogSize = log is null ? 0u : (uint)log.Length,
                LogBuf = (ulong)logBuf,
                ExpectedAttachType = Bpf.BPF_XDP,
            };
            BpfMap.WriteName(attr.ProgName, name);
            int fd = Bpf.Call(Bpf.BPF_PROG_LOAD, ref attr);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd;
        }
    }
}
