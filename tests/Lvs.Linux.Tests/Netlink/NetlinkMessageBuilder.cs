using System.Buffers.Binary;
using System.Net;

namespace Lvs.Linux.Tests.Netlink;

/// <summary>Builds rtnetlink messages byte by byte, as the kernel lays them out (host order headers).</summary>
internal sealed class NetlinkMessageBuilder
{
    private readonly List<byte> _buffer = [];
    private int _messageStart = -1;

    public byte[] ToArray()
    {
        EndMessage();
        return [.. _buffer];
    }

    public NetlinkMessageBuilder Message(ushort type, uint sequence = 0, ushort flags = 0)
    {
        EndMessage();
        _messageStart = _buffer.Count;
        AddU32(0);
        AddU16(type);
        AddU16(flags);
        AddU32(sequence);
        AddU32(0);
        return this;
    }

    public NetlinkMessageBuilder Link(int index, uint flags) =>
        Bytes(0, 0).U16(1).I32(index).U32(flags).U32(0);

    public NetlinkMessageBuilder Address(byte family, byte prefix, int index) =>
        Bytes(family, prefix, 0, 0).I32(index);

    public NetlinkMessageBuilder Route(byte family, byte dstLength, byte table, byte type) =>
        Bytes(family, dstLength, 0, 0, table, 4, 0, type).U32(0);

    public NetlinkMessageBuilder Neighbour(byte family, int index, ushort state) =>
        Bytes(family, 0, 0, 0).I32(index).U16(state).Bytes(0, 1);

    public NetlinkMessageBuilder Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        AddU16((ushort)(4 + value.Length));
        AddU16(type);
        _buffer.AddRange(value.ToArray());
        Pad();
        return this;
    }

    public NetlinkMessageBuilder Attribute(ushort type, IPAddress address) => Attribute(type, address.GetAddressBytes());

    public NetlinkMessageBuilder AttributeU32(ushort type, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Attribute(type, bytes);
    }

    public NetlinkMessageBuilder AttributeString(ushort type, string value) =>
        Attribute(type, [.. System.Text.Encoding.ASCII.GetBytes(value), 0]);

    public NetlinkMessageBuilder Bytes(params byte[] bytes)
    {
        _buffer.AddRange(bytes);
        return this;
    }

    public NetlinkMessageBuilder U16(ushort value)
    {
        AddU16(value);
        return this;
    }

    public NetlinkMessageBuilder U32(uint value)
    {
        AddU32(value);
        return this;
    }

    public NetlinkMessageBuilder I32(int value) => U32((uint)value);

    private void EndMessage()
    {
        if (_messageStart < 0)
        {
            return;
        }

        var length = _buffer.Count - _messageStart;
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)length);
        for (var i = 0; i < 4; i++)
        {
            _buffer[_messageStart + i] = bytes[i];
        }

        Pad();
        _messageStart = -1;
    }

    private void Pad()
    {
        while (_buffer.Count % 4 != 0)
        {
            _buffer.Add(0);
        }
    }

    private void AddU16(ushort value)
    {
        _buffer.Add((byte)value);
        _buffer.Add((byte)(value >> 8));
    }

    private void AddU32(uint value)
    {
        AddU16((ushort)value);
        AddU16((ushort)(value >> 16));
    }
}

/// <summary>Records what the decoder hands out.</summary>
internal sealed class RecordingSink : Lvs.Linux.Netlink.INetlinkEventSink
{
    public List<(Lvs.Linux.Netlink.LinkInfo Link, bool Removed)> Links { get; } = [];

    public List<(Lvs.Linux.Netlink.AddressInfo Address, bool Removed)> Addresses { get; } = [];

    public List<(Lvs.Linux.Netlink.RouteInfo Route, bool Removed)> Routes { get; } = [];

    public List<(Lvs.Linux.Netlink.NeighbourInfo Neighbour, bool Removed)> Neighbours { get; } = [];

    public int Overruns { get; private set; }

    public void OnLink(Lvs.Linux.Netlink.LinkInfo link, bool removed) => Links.Add((link, removed));

    public void OnAddress(Lvs.Linux.Netlink.AddressInfo address, bool removed) => Addresses.Add((address, removed));

    public void OnRoute(Lvs.Linux.Netlink.RouteInfo route, bool removed) => Routes.Add((route, removed));

    public void OnNeighbour(Lvs.Linux.Netlink.NeighbourInfo neighbour, bool removed) => Neighbours.Add((neighbour, removed));

    public void OnOverrun() => Overruns++;
}
