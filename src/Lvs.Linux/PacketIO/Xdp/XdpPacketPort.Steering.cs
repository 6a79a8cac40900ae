using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Steering;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>Keeping the program's maps equal to lvsd's steering spec.</summary>
public sealed partial class XdpPacketPort
{
    private readonly object _steeringGate = new();
    private HashSet<SteeredEndpoint> _services = [];
    private HashSet<SteeredEndpoint> _replies = [];
    private HashSet<IPAddress> _locals = [];

    /// <summary>
    /// Makes the maps hold exactly <paramref name="spec"/>'s services, NAT real servers and local
    /// addresses: adds what is new, deletes what is gone (what stays is not touched, so no frame
    /// of a kept service is ever passed to the kernel during the update). Fwmark traffic is not
    /// steered by the program (it matches addresses and ports only). Thread-safe.
    /// </summary>
    public void ApplySteering(SteeringSpec spec)
    {
        lock (_steeringGate)
        {
            var services = spec.Services.ToHashSet();
            var replies = spec.NatRealServers.ToHashSet();
            var locals = spec.LocalAddresses.ToHashSet();
            foreach (var e in services.Except(_services))
            {
                _program.AddService(e.Address, e.Port, ToProtocol(e.Protocol));
            }

            foreach (var e in replies.Except(_replies))
            {
                _program.AddReplySource(e.Address, e.Port, ToProtocol(e.Protocol));
            }

            foreach (var a in locals.Except(_locals))
            {
                _program.AddLocalAddress(a);
            }

            foreach (var e in _services.Except(services))
            {
                _program.RemoveService(e.Address, e.Port, ToProtocol(e.Protocol));
            }

            foreach (var e in _replies.Except(replies))
            {
                _program.RemoveReplySource(e.Address, e.Port, ToProtocol(e.Protocol));
            }

            foreach (var a in _locals.Except(locals))
            {
                _program.RemoveLocalAddress(a);
            }

            _services = services;
            _replies = replies;
            _locals = locals;
        }
    }

    private static ProtocolType ToProtocol(SteeringProtocol p) => p switch
    {
        SteeringProtocol.Tcp => ProtocolType.Tcp,
        SteeringProtocol.Udp => ProtocolType.Udp,
        _ => (ProtocolType)132,
    };
}
