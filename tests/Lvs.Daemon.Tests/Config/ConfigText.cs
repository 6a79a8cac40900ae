using System.Text;
using Lvs.Core.Services;
using Lvs.Daemon.Config;

namespace Lvs.Daemon.Tests.Config;

/// <summary>Test helpers: corpus paths, and configurations rendered as text so comparisons show every field.</summary>
internal static class ConfigText
{
    public static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "Config", "Corpus", name);

    public static string Render(Configuration configuration)
    {
        var sb = new StringBuilder();
        foreach (ServiceDefinition s in configuration.Services)
        {
            ServiceSettings t = s.Settings;
            sb.Append($"{s.Key} sched={t.Scheduler} flags={t.Flags} persistent={t.Persistent} timeout={t.PersistenceTimeoutMs} ")
                .Append($"mask={(s.Key.IsV6 ? Math.Min(t.PersistenceMask, 128u).ToString(System.Globalization.CultureInfo.InvariantCulture) : Ipv4.Format(t.PersistenceMask))} ops={t.OnePacket}\n");
            foreach (RealServerDefinition r in s.Servers)
            {
                sb.Append($"  {r.Address.WithPort(r.Port)} {r.Method} w={r.Weight} x={r.UpperThreshold} y={r.LowerThreshold}");
                if (r.Method == ForwardMethod.Tunnel)
                {
                    sb.Append($" tun={r.Tunnel.Type}/{r.Tunnel.Port}/{r.Tunnel.Checksum}");
                }

                sb.Append('\n');
            }
        }

        return sb.ToString();
    }

    public static ServiceKey Tcp(string address, ushort port) => new(IpProtocol.Tcp, Ipv4.Parse(address), port);

    public static ServiceKey Udp(string address, ushort port) => new(IpProtocol.Udp, Ipv4.Parse(address), port);

    public static string Lines(ConfigLoadResult r) => string.Join("\n", r.Errors.Concat(r.Warnings));
}
