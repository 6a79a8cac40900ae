using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>
/// The order ipvsadm lists in: libipvs's ipvs_cmp_services / ipvs_cmp_dests under glibc's
/// qsort, which is a top-down merge sort. The comparators subtract 32-bit words into an int,
/// so addresses more than 2^31 apart compare "backwards" (203.0.113.1 sorts before 10.0.0.1);
/// reproducing both the comparator and the merge gives ipvsadm's exact order.
/// </summary>
internal static class IpvsSort
{
    private const int AfInet = 2;
    private const int AfInet6 = 10;

    public static List<ServiceStatus> Services(IReadOnlyList<ServiceStatus> services) =>
        MergeSort(services, CompareServices);

    public static List<RealServerStatus> Servers(IReadOnlyList<RealServerStatus> servers) =>
        MergeSort(servers, CompareServers);

    /// <summary>
    /// ipvs_cmp_services: fwmark, family, protocol, address, port. The fwmarks are __u32 and their
    /// difference lands in an int, so a mark 2^31 or more above another sorts before it; TCP and
    /// UDP services have mark 0, so fwmark services come after them up to mark 2^31 and before
    /// them from there. A fwmark service is AF_INET with protocol, address and port 0.
    /// </summary>
    public static int CompareServices(ServiceStatus a, ServiceStatus b)
    {
        int r = unchecked((int)(MarkOf(a.Key) - MarkOf(b.Key)));
        if (r != 0)
        {
            return r;
        }

        AddressWords wa = KeyWords(a.Key);
        AddressWords wb = KeyWords(b.Key);
        r = wa.Family - wb.Family;
        if (r != 0)
        {
            return r;
        }

        r = ProtocolNumber(a.Key.Protocol) - ProtocolNumber(b.Key.Protocol);
        if (r != 0)
        {
            return r;
        }

        r = CompareAddress(wa, wb);
        return r != 0 ? r : a.Key.Port - b.Key.Port;
    }

    private static uint MarkOf(ServiceKey key) => key.IsFwmark() ? key.Fwmark : 0;

    /// <summary>libipvs's view of a service's address: a fwmark service's is all zero, of family AF_INET.</summary>
    private static AddressWords KeyWords(ServiceKey key) =>
        key.IsFwmark() ? new AddressWords { Family = key.Ipv6 ? AfInet6 : AfInet } : Words(key.Address);

    /// <summary>ipvs_cmp_dests: address (by the first one's family), then port.</summary>
    public static int CompareServers(RealServerStatus a, RealServerStatus b)
    {
        int r = CompareAddress(Words(a.Address), Words(b.Address));
        return r != 0 ? r : a.Port - b.Port;
    }

    private static int CompareAddress(AddressWords a, AddressWords b)
    {
        int words = a.Family == AfInet6 ? 4 : 1;
        int r = 0;
        for (int i = 0; r == 0 && i < words; i++)
        {
            r = unchecked((int)(a[i] - b[i]));
        }

        return r;
    }

    private static int ProtocolNumber(string protocol) => protocol switch
    {
        "tcp" => 6,
        "udp" => 17,
        "sctp" => 132,
        _ => 0,
    };

    /// <summary>The address as libipvs's union nf_inet_addr holds it: an IPv4 address is word 0, the rest zero.</summary>
    private static AddressWords Words(string text)
    {
        var words = new AddressWords();
        if (!IPAddress.TryParse(text, out IPAddress? address))
        {
            return words;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        words.Family = address.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;
        for (int i = 0; i < written / 4; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32BigEndian(bytes[(i * 4)..]);
        }

        return words;
    }

    /// <summary>glibc msort_with_tmp: split in halves (first n/2), sort each, merge taking the left on cmp &lt;= 0.</summary>
    private static List<T> MergeSort<T>(IReadOnlyList<T> items, Comparison<T> compare)
    {
        var array = items.ToArray();
        var tmp = new T[array.Length];
        Sort(array, tmp, 0, array.Length, compare);
        return [.. array];
    }

    private static void Sort<T>(T[] a, T[] tmp, int start, int n, Comparison<T> compare)
    {
        if (n <= 1)
        {
            return;
        }

        int n1 = n / 2;
        int n2 = n - n1;
        Sort(a, tmp, start, n1, compare);
        Sort(a, tmp, start + n1, n2, compare);

        int i = start, j = start + n1, k = 0;
        int endLeft = start + n1, endRight = start + n;
        while (i < endLeft && j < endRight)
        {
            tmp[k++] = compare(a[i], a[j]) <= 0 ? a[i++] : a[j++];
        }

        while (i < endLeft)
        {
            tmp[k++] = a[i++];
        }

        // What is left of the right half is already in place.
        Array.Copy(tmp, 0, a, start, k);
    }

    private struct AddressWords
    {
        private uint _w0, _w1, _w2, _w3;

        public int Family;

        public uint this[int i]
        {
            readonly get => i switch { 0 => _w0, 1 => _w1, 2 => _w2, _ => _w3 };
            set
            {
                switch (i)
                {
                    case 0: _w0 = value; break;
                    case 1: _w1 = value; break;
                    case 2: _w2 = value; break;
                    default: _w3 = value; break;
                }
            }
        }
    }
}
