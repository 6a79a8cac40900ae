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
    private string _marks = "";

    /// <summary>
    /// Makes the maps hold exactly <paramref name="spec"/>'s services, NAT real servers and local
    /// addresses: adds what is new, deletes what is gone (what stays is not touched, so no frame
    /// of a kept service is ever passed to the kernel during the update). When the marking rules
    /// (<see cref="SteeringSpec.MarkedTraffic"/>) changed, a program with the new rules compiled in
    /// replaces the attached one (the maps, sockets included, carry over). Thread-safe.
    /// </summary>
    /// <returns>
    /// The marking rules left out of a program loaded by this call (empty when the rules did not
    /// change), so each refusal is reported once. Their traffic is not redirected to lvsd.
    /// </returns>
    /// <exception cref="LinuxException">Swapping the program failed (the maps are updated already); the old one (and its rules) stays.</exception>
    /// <exception cref="BpfVerifierException">The verifier refused the program; the old one stays.</exception>
    public IReadOnlyList<RefusedMarkRule> ApplySteering(SteeringSpec spec)
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
            return ApplyMarks(spec.MarkedTraffic);
        }
    }

    private IReadOnlyList<RefusedMarkRule> ApplyMarks(IReadOnlyList<MarkRule> rules)
    {
        string signature = string.Join('\n', rules.Select(Describe));
        if (signature == _marks)
        {
            return [];
        }

        var (accepted, refused) = XdpRedirectProgram.SelectMarkRules(rules);
        _program.ReplaceMarks(accepted, _attachment.Replace);
        _marks = signature;
        return refused;
    }

    /// <summary>A rule's content as text (MarkRule's record equality compares its lists by reference).</summary>
    private static string Describe(MarkRule r) =>
        $"{r.Mark} {r.Protocol} d{string.Join(',', r.Destinations)}{string.Join(',', r.Destinations6)} " +
        $"s{string.Join(',', r.Sources)}{string.Join(',', r.Sources6)} " +
        $"dp{string.Join(',', r.DestinationPorts)} sp{string.Join(',', r.SourcePorts)}";

    private static ProtocolType ToProtocol(SteeringProtocol p) => p switch
    {
        SteeringProtocol.Tcp => ProtocolType.Tcp,
        SteeringProtocol.Udp => ProtocolType.Udp,
        _ => (ProtocolType)132,
    };
}
