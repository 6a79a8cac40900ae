namespace Lvs.Core.Forwarding;

/// <summary>
/// Where a forwarder writes packets it builds (encapsulated packets, segments, fragments):
/// straight into the transmit queue of the outgoing interface. The span starts at the IP header;
/// the sink owns the link-layer header in front of it.
/// </summary>
public interface IFrameSink
{
    /// <summary>A writable span of <paramref name="ipLength"/> bytes, or empty when none is available now.</summary>
    Span<byte> Reserve(int ipLength);

    /// <summary>Queues the packet written into the last reserved span.</summary>
    void Commit(int ipLength);
}
