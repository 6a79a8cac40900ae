using System.Runtime.InteropServices;
using static Lvs.Linux.Interop.Netlink;

namespace Lvs.Linux.Netlink;

// Netlink framing (linux/netlink.h). A receive buffer holds messages back to back, each
// padded to 4 bytes; each payload starts with a family header followed by attributes:
//
//  0               1               2               3
//  +---------------+---------------+---------------+---------------+
//  |                          nlmsg_len                            |
//  +---------------+---------------+---------------+---------------+
//  |          nlmsg_type           |          nlmsg_flags          |
//  +---------------+---------------+---------------+---------------+
//  |                          nlmsg_seq                            |
//  +---------------+---------------+---------------+---------------+
//  |                          nlmsg_pid                            |
//  +---------------+---------------+---------------+---------------+
//  | family header (ifinfomsg / ifaddrmsg / rtmsg / ndmsg) ...     |
//  +---------------+---------------+---------------+---------------+
//  |      rta_len                  |      rta_type                 |  rtattr, padded to 4
//  +---------------+---------------+---------------+---------------+
//
// Header fields are host byte order. Every reader here checks lengths before reading and
// reports a malformed frame instead of throwing: the input comes from the kernel, but the
// parser is also fed captured and fuzzed bytes.

/// <summary>One netlink message: header fields and payload (after the 16-byte header).</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>
/// Walks the messages of one receive buffer. Stops at the first frame whose length is
/// impossible (shorter than a header or past the end) and sets <see cref="Malformed"/>:
/// after a broken length nothing later in the buffer can be trusted.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> buffer) => _rest = buffer;

    /// <summary>True once a frame with an impossible length was met.</summary>
    public bool Malformed { get; private set; }

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_rest.Length < NlMsgHdrSize)
        {
            Malformed |= _rest.Length != 0;
            _rest = default;
            return false;
        }

        var length = MemoryMarshal.Read<uint>(_rest);
        if (length < NlMsgHdrSize || length > (uint)_rest.Length)
        {
            Malformed = true;
            _rest = default;
            return false;
        }

        message = new NetlinkMessage(
            MemoryMarshal.Read<ushort>(_rest[4..]),
            MemoryMarshal.Read<ushort>(_rest[6..]),
            MemoryMarshal.Read<uint>(_rest[8..]),
            MemoryMarshal.Read<uint>(_rest[12..]),
            _rest[NlMsgHdrSize..(int)length]);
        var aligned = Align((int)length);
        _rest = aligned >= _rest.Length ? default : _rest[aligned..];
        return true;
    }

    public static int Align(int length) => (length + 3) & ~3;
}

/// <summary>One rtattr: type (with the nested/byte-order flags masked off) and value.</summary>
internal readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        Type = type;
        Value = value;
    }

    public ushort Type { get; }

    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>Walks the rtattr list after a family header; stops and flags a bad length.</summary>
internal ref struct NetlinkAttributeReader
{
    // NLA_F_NESTED | NLA_F_NET_BYTEORDER
    private const ushort TypeMask = 0x3FFF;
    private ReadOnlySpan<byte> _rest;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes) => _rest = attributes;

    public bool Malformed { get; private set; }

    public bool TryRead(out NetlinkAttribute attribute)
    {
        attribute = default;
        if (_rest.Length < RtAttrSize)
        {
            Malformed |= _rest.Length != 0;
            _rest = default;
            return false;
        }

        var length = MemoryMarshal.Read<ushort>(_rest);
        if (length < RtAttrSize || length > _rest.Length)
        {
            Malformed = true;
            _rest = default;
            return false;
        }

        attribute = new NetlinkAttribute((ushort)(MemoryMarshal.Read<ushort>(_rest[2..]) & TypeMask), _rest[RtAttrSize..length]);
        var aligned = NetlinkMessageReader.Align(length);
        _rest = aligned >= _rest.Length ? default : _rest[aligned..];
        return true;
    }
}
