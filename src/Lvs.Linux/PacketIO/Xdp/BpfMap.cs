using System.Text;
using Lvs.Linux.Interop;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// A BPF map created with BPF_MAP_CREATE and owned by this process: the kernel frees it when the
/// last reference (our fd, a program using it) goes. Updates and deletes go through bpf(2).
/// </summary>
public sealed unsafe class BpfMap : IDisposable
{
    private int _fd;

    private BpfMap(int fd, uint type, int keySize, int valueSize, int maxEntries)
    {
        _fd = fd;
        Type = type;
        KeySize = keySize;
        ValueSize = valueSize;
        MaxEntries = maxEntries;
    }

    /// <summary>The map's file descriptor (what a program's ld_imm64 names).</summary>
    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(BpfMap));

    /// <summary>enum bpf_map_type.</summary>
    public uint Type { get; }

    /// <summary>Key size in bytes.</summary>
    public int KeySize { get; }

    /// <summary>Value size in bytes.</summary>
    public int ValueSize { get; }

    /// <summary>Capacity.</summary>
    public int MaxEntries { get; }

    /// <summary>A hash map (BPF_MAP_TYPE_HASH).</summary>
    public static BpfMap CreateHash(string name, int keySize, int valueSize, int maxEntries) =>
        Create(Bpf.BPF_MAP_TYPE_HASH, name, keySize, valueSize, maxEntries);

    /// <summary>An XSKMAP: index = rx queue, value = AF_XDP socket fd.</summary>
    public static BpfMap CreateXskMap(string name, int maxEntries) =>
        Create(Bpf.BPF_MAP_TYPE_XSKMAP, name, 4, 4, maxEntries);

    /// <summary>A per-CPU array of u64 counters.</summary>
    public static BpfMap CreatePerCpuCounters(string name, int count) =>
        Create(Bpf.BPF_MAP_TYPE_PERCPU_ARRAY, name, 4, 8, count);

    /// <summary>Creates a map; throws <see cref="LinuxException"/> (EPERM without CAP_BPF/CAP_SYS_ADMIN).</summary>
    public static BpfMap Create(uint type, string name, int keySize, int valueSize, int maxEntries)
    {
        var attr = new Bpf.MapCreateAttr
        {
            MapType = type,
            KeySize = (uint)keySize,
            ValueSize = (uint)valueSize,
            MaxEntries = (uint)maxEntries,
        };
        WriteName(attr.MapName, name);
        int fd = Bpf.Call(Bpf.BPF_MAP_CREATE, ref attr);
        if (fd < 0)
        {
            throw LinuxException.FromLast($"bpf(BPF_MAP_CREATE {name})");
        }

        return new BpfMap(fd, type, keySize, valueSize, maxEntries);
    }

    /// <summary>Inserts or replaces <paramref name="key"/> → <paramref name="value"/>.</summary>
    public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        CheckSizes(key.Length, value.Length);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var attr = new Bpf.MapElemAttr { MapFd = (uint)Fd, Key = (ulong)k, Value = (ulong)v, Flags = Bpf.BPF_ANY };
            if (Bpf.Call(Bpf.BPF_MAP_UPDATE_ELEM, ref attr) != 0)
            {
                throw LinuxException.FromLast("bpf(BPF_MAP_UPDATE_ELEM)");
            }
        }
    }

    /// <summary>Removes <paramref name="key"/>; false when it was not there.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        CheckSizes(key.Length, ValueSize);
        fixed (byte* k = key)
        {
            var attr = new Bpf.MapElemAttr { MapFd = (uint)Fd, Key = (ulong)k };
            if (Bpf.Call(Bpf.BPF_MAP_DELETE_ELEM, ref attr) == 0)
            {
                return true;
            }

            int errno = Errno.Last;
            return errno == Errno.ENOENT ? false : throw new LinuxException("bpf(BPF_MAP_DELETE_ELEM)", errno);
        }
    }

    /// <summary>
    /// Copies the value of <paramref name="key"/> into <paramref name="value"/> (for a per-CPU map,
    /// one 8-byte-rounded slot per possible CPU); false when the key is absent.
    /// </summary>
    public bool Lookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"key is {key.Length} bytes, the map's {KeySize}", nameof(key));
        }

        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var attr = new Bpf.MapElemAttr { MapFd = (uint)Fd, Key = (ulong)k, Value = (ulong)v };
            if (Bpf.Call(Bpf.BPF_MAP_LOOKUP_ELEM, ref attr) == 0)
            {
                return true;
            }

            int errno = Errno.Last;
            return errno == Errno.ENOENT ? false : throw new LinuxException("bpf(BPF_MAP_LOOKUP_ELEM)", errno);
        }
    }

    /// <summary>Closes our reference.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }

    internal static void WriteName(byte* dest, string name)
    {
        // BPF_OBJ_NAME_LEN is 16 with the NUL; the kernel accepts [A-Za-z0-9_.] only.
        var bytes = Encoding.ASCII.GetBytes(name);
        int n = Math.Min(bytes.Length, 15);
        for (int i = 0; i < n; i++)
        {
            dest[i] = bytes[i];
        }
    }

    private void CheckSizes(int keyLength, int valueLength)
    {
        if (keyLength != KeySize || valueLength != ValueSize)
        {
            throw new ArgumentException($"key/value are {keyLength}/{valueLength} bytes, the map's {KeySize}/{ValueSize}");
        }
    }
}
