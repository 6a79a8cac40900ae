namespace Lvs.Vrrp.Packets;

/// <summary>VRRP protocol versions: 2 (RFC 3768, IPv4 only, seconds) and 3 (RFC 5798, centiseconds).</summary>
public enum VrrpVersion : byte
{
    V2 = 2,
    V3 = 3,
}

/// <summary>
/// A parsed, checksum-verified VRRP advertisement: a view over the received bytes, valid until
/// the receive buffer is reused. Per-instance checks (VRID, auth, addresses, interval) are
/// <see cref="VrrpValidation"/>'s.
/// </summary>
public readonly ref struct VrrpAdvert
{
    internal VrrpAdvert(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, int addressLength)
    {
        Message = message;
        Source = source;
        AddressLength = addressLength;
    }

    /// <summary>The VRRP message, from the version field to the end.</summary>
    public ReadOnlySpan<byte> Message { get; }

    /// <summary>The sender's IP address (4 or 16 bytes): the master's primary address.</summary>
    public ReadOnlySpan<byte> Source { get; }

    /// <summary>4 for IPv4, 16 for IPv6.</summary>
    public int AddressLength { get; }

    public VrrpVersion Version => (VrrpVersion)(Message[0] >> 4);

    public byte Vrid => Message[1];

    public byte Priority => Message[2];

    public byte Count => Message[3];

    /// <summary>v2's authentication type (0 none, 1 PASS); 0 for v3.</summary>
    public byte AuthType => Version == VrrpVersion.V2 ? Message[4] : (byte)0;

    /// <summary>The advertisement interval in centiseconds (v2's seconds × 100).</summary>
    public int IntervalCentiseconds => Version == VrrpVersion.V2
        ? Message[5] * 100
        : ((Message[4] & 0x0F) << 8) | Message[5];

    /// <summary>The virtual addresses, <see cref="Count"/> × <see cref="AddressLength"/> bytes.</summary>
    public ReadOnlySpan<byte> Addresses => Message.Slice(VrrpCodec.HeaderLength, Count * AddressLength);

    /// <summary>v2's 8 bytes of authentication data; empty for v3.</summary>
    public ReadOnlySpan<byte> AuthData => Version == VrrpVersion.V2
        ? Message.Slice(VrrpCodec.HeaderLength + (Count * AddressLength), VrrpCodec.AuthDataLength)
        : [];

    /// <summary>The address at <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Address(int index) => Addresses.Slice(index * AddressLength, AddressLength);
}
