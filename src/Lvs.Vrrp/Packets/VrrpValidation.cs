namespace Lvs.Vrrp.Packets;

/// <summary>
/// The checks of a parsed advert against the instance its VRID names (RFC 3768 §7.1 / RFC 5798
/// §7.1 and keepalived's vrrp_check_packet): version, v2 authentication, the address list, and
/// v2's interval (keepalived logs "advertisement interval mismatch" and drops).
/// </summary>
public static class VrrpValidation
{
    public const byte AuthNone = 0;
    public const byte AuthPass = 1;

    /// <summary>The reason to drop <paramref name="advert"/>, or <see cref="VrrpDropReason.None"/>.</summary>
    /// <param name="addresses">The instance's virtual addresses, back to back.</param>
    /// <param name="authPass">v2 PASS data (up to 8 bytes) or empty for no authentication.</param>
    public static VrrpDropReason Check(in VrrpAdvert advert, VrrpVersion version, ReadOnlySpan<byte> addresses, int intervalCentiseconds, ReadOnlySpan<byte> authPass)
    {
        if (advert.Version != version)
        {
            return VrrpDropReason.WrongVersion;
        }

        if (version == VrrpVersion.V2)
        {
            byte wanted = authPass.IsEmpty ? AuthNone : AuthPass;
            if (advert.AuthType != wanted)
            {
                return VrrpDropReason.AuthTypeMismatch;
            }

            if (wanted == AuthPass)
            {
                Span<byte> padded = stackalloc byte[VrrpCodec.AuthDataLength];
                padded.Clear();
                authPass[..Math.Min(authPass.Length, padded.Length)].CopyTo(padded);
                if (!advert.AuthData.SequenceEqual(padded))
                {
                    return VrrpDropReason.AuthMismatch;
                }
            }
        }

        int length = advert.AddressLength;
        if (advert.Count * length != addresses.Length)
        {
            return VrrpDropReason.AddressCountMismatch;
        }

        for (int i = 0; i < addresses.Length; i += length)
        {
            if (!Contains(advert.Addresses, addresses.Slice(i, length), length))
            {
                return VrrpDropReason.AddressMismatch;
            }
        }

        if (version == VrrpVersion.V2 && advert.IntervalCentiseconds != intervalCentiseconds)
        {
            return VrrpDropReason.IntervalMismatch;
        }

        return VrrpDropReason.None;
    }

    private static bool Contains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> address, int length)
    {
        for (int i = 0; i + length <= list.Length; i += length)
        {
            if (list.Slice(i, length).SequenceEqual(address))
            {
                return true;
            }
        }

        return false;
    }
}
