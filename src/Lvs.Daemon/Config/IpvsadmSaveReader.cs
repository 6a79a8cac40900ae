using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>
/// Reads an ipvsadm save file (what <c>ipvsadm -S</c> prints, each line with or without a leading
/// "ipvsadm"): the lines are applied in file order to a <see cref="ConfigurationBuilder"/>, exactly as
/// the control commands would apply them, so real servers end up newest first and a line the
/// table would refuse (a service defined twice, a server of an unknown service) is an error here.
/// Blank lines and '#' comments are skipped.
/// </summary>
public static class IpvsadmSaveReader
{
    public static ConfigLoadResult Read(string text, string file)
    {
        var errors = new List<ConfigDiagnostic>();
        var builder = new ConfigurationBuilder(Configuration.Empty);
        string[] lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            List<Word> words = Words(lines[n], file, n + 1);
            if (words.Count > 0 && words[0].Text is "ipvsadm" or "lvsadm")
            {
                words.RemoveAt(0);
            }

            if (words.Count == 0 || words[0].Text.StartsWith('#'))
            {
                continue;
            }

            IpvsadmLine? line = IpvsadmLine.Parse(words, out ConfigDiagnostic? error);
            if (line is null)
            {
                errors.Add(error!);
                continue;
            }

            TableResult result = ApplyLine(builder, line);
            if (result != TableResult.Ok)
            {
                errors.Add(new ConfigDiagnostic(line.At, Message(result)));
            }
        }

        Configuration? configuration = errors.Count == 0 ? builder.Build() : null;
        return new ConfigLoadResult(configuration, errors, [], null);
    }

    private static TableResult ApplyLine(IServiceTarget target, IpvsadmLine line)
    {
        if (line.Command == IpvsadmCommand.Clear)
        {
            target.Clear();
            return TableResult.Ok;
        }

        ServiceKey key = line.Key!.Value;
        var settings = line.Persistent
            ? new ServiceSettings(line.Scheduler, line.Flags, true, line.PersistenceSeconds * 1000, line.Mask, line.OnePacket)
            : new ServiceSettings(line.Scheduler, line.Flags, OnePacket: line.OnePacket);
        InetAddress address = line.ServerAddress ?? default;
        // ipvsadm: a real server without a port takes the service's.
        ushort port = line.ServerPort ?? key.Port;
        TunnelSpec tunnel = line.Method == ForwardMethod.Tunnel
            ? new TunnelSpec(line.TunnelType ?? TunnelType.IpIp, line.TunnelPort ?? 0, line.TunnelChecksum ?? TunnelChecksum.NoChecksum)
            : default;
        return line.Command switch
        {
            IpvsadmCommand.AddService => target.AddService(key, settings),
            IpvsadmCommand.EditService => target.EditService(key, settings),
            IpvsadmCommand.DeleteService => target.DeleteService(key),
            IpvsadmCommand.AddServer => target.AddServer(key, address, port, line.Method, line.Weight, tunnel, line.Upper, line.Lower),
            IpvsadmCommand.EditServer => target.EditServer(key, address, port, line.Method, line.Weight, tunnel, line.Upper, line.Lower),
            _ => target.DeleteServer(key, address, port),
        };
    }

    /// <summary>ipvsadm's messages for what the table refuses.</summary>
    private static string Message(TableResult result) => result switch
    {
        TableResult.ServiceExists => "Service already exists",
        TableResult.NoSuchService => "No such service",
        TableResult.DestinationExists => "Destination already exists",
        TableResult.NoSuchDestination => "No such destination",
        TableResult.UnknownScheduler => "Scheduler not found",
        _ => result.ToString(),
    };

    private static List<Word> Words(string line, string file, int lineNumber)
    {
        var words = new List<Word>();
        int i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            words.Add(new Word(line[start..i], new SourceLocation(file, lineNumber, start + 1)));
        }

        return words;
    }
}
