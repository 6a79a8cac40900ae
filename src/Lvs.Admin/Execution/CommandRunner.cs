using System.Net;
using Lvs.Admin.CommandLine;
using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Execution;

/// <summary>Sends a parsed command to lvsd and prints the answer as ipvsadm would.</summary>
/// <param name="send">One request to the control socket at a path (<see cref="ControlSocket.Send"/> in production).</param>
/// <param name="parser">Parses the lines of a restore (-R).</param>
internal sealed class CommandRunner(Func<string, ControlRequest, ControlResponse> send, INameResolver names, CommandParser parser)
{
    public int Run(ParsedCommand command, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        switch (command.Command)
        {
            case AdminCommand.Help:
                stdout.Write(UsageText.Build());
                return 0;
            case AdminCommand.Version:
                stdout.Write(UsageText.VersionLine + "\n");
                return 0;
            case AdminCommand.Restore:
                return new RestoreRunner(parser, send).Run(command, stdin, stderr);
        }

        string path = ControlSocket.Resolve(command.ControlPath);
        ControlRequest request = BuildRequest(command);
        ControlResponse response = send(path, request);

        switch (command.Command)
        {
            case AdminCommand.Save:
                return PrintSave(command, response, stdout, stderr);
            case AdminCommand.Reload:
                return ReportReload(response, stderr);
        }

        if (request.Command == Commands.Drops)
        {
            return PrintDrops(command, response, stdout, stderr);
        }

        if (request.Command == Commands.Connections)
        {
            return PrintConnections(command, response, stdout, stderr);
        }

        if (request.Command == Commands.List)
        {
            return command.Timeout ? PrintTimeouts(command, response, stdout, stderr) : PrintList(command, response, stdout, stderr);
        }

        if (!response.Ok)
        {
            // ipvsadm: fprintf(stderr, "%s\n", ipvs_strerror(errno)) and the call's -1 as exit status.
            stderr.Write(Errors.DaemonRefusal(command.Command, response) + "\n");
            return Errors.CommandFailedExit;
        }

        return 0;
    }

    /// <summary>The control request for a command (internal for tests).</summary>
    internal static ControlRequest BuildRequest(ParsedCommand command)
    {
        string name = command.Command switch
        {
            AdminCommand.AddService => Commands.AddService,
            AdminCommand.EditService => Commands.EditService,
            AdminCommand.DeleteService => Commands.DeleteService,
            AdminCommand.Clear => Commands.Clear,
            AdminCommand.AddServer => Commands.AddServer,
            AdminCommand.EditServer => Commands.EditServer,
            AdminCommand.DeleteServer => Commands.DeleteServer,
            AdminCommand.Zero => Commands.Zero,
            AdminCommand.SetTimeouts => Commands.SetTimeouts,
            AdminCommand.List when command.Drops => Commands.Drops,
            AdminCommand.List when command.Connections => Commands.Connections,
            AdminCommand.List => Commands.List,
            AdminCommand.Drops => Commands.Drops,
            AdminCommand.Save => Commands.List,
            AdminCommand.Reload => Commands.Reload,
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.Command, "no control request for this command"),
        };

        bool addOrEditService = command.Command is AdminCommand.AddService or AdminCommand.EditService;

        // -d names a real server by address and port only; like ipvsadm it carries the default
        // method (-g) along, which lvsd ignores for a delete.
        return new ControlRequest
        {
            Command = name,
            Service = name is Commands.Drops or Commands.Connections or Commands.Reload ? null : command.Service,
            Options = addOrEditService
                ? new ServiceOptions(command.Scheduler!)
                {
                    SchedulerFlags = command.SchedulerFlags,
                    Persistent = command.Persistent,
                    PersistenceTimeout = command.PersistenceTimeout,
                    PersistenceNetmask = command.PersistenceNetmask,
                    OnePacket = command.OnePacket,
                }
                : null,
            Server = command.Server is { } s
                ? new RealServerSpec(s.Address, s.Port, command.Method, command.Weight)
                {
                    TunnelType = command.TunnelType,
                    TunnelPort = command.TunnelPort,
                    TunnelChecksum = command.TunnelChecksum,
                    UpperThreshold = command.UpperThreshold,
                    LowerThreshold = command.LowerThreshold,
                }
                : null,
            Timeouts = command.Timeouts,
        };
    }

    private int PrintList(ParsedCommand command, ControlResponse response, TextWriter stdout, TextWriter stderr)
    {
        if (!response.Ok)
        {
            stderr.Write(Errors.DaemonRefusal(command.Command, response) + "\n");
            return Errors.ListFailedExit;
        }

        if (response.Status is not { } status)
        {
            stderr.Write($"{Errors.Program}: lvsd answered without a status\n");
            return Errors.ListFailedExit;
        }

        var format = new ListFormat(command.Numeric, command.Stats, command.Exact, command.NoSort, command.TunInfo, command.Thresholds,
            command.PersistentConn, command.Rate);
        var formatter = new ListFormatter(format, names);
        if (command.Service is { } key)
        {
            ServiceStatus? service = status.Services.FirstOrDefault(s => SameService(s.Key, key));
            if (service is null)
            {
                stderr.Write("No such service\n");
                return Errors.ListFailedExit;
            }

            stdout.Write(command.Json ? JsonListing.Status(status with { Services = [service] }) : formatter.FormatOne(service));
            return 0;
        }

        stdout.Write(command.Json ? JsonListing.Status(status) : formatter.FormatAll(status));
        return 0;
    }

    /// <summary>list_conn; ipvsadm exits 1 when it cannot read the connection table.</summary>
    private int PrintConnections(ParsedCommand command, ControlResponse response, TextWriter stdout, TextWriter stderr)
    {
        if (!response.Ok)
        {
            stderr.Write(Errors.DaemonRefusal(command.Command, response) + "\n");
            return Errors.ListFailedExit;
        }

        // lvsd may leave an empty table out of its answer (null is not written).
        IReadOnlyList<ConnectionEntry> entries = response.Connections ?? [];
        stdout.Write(command.Json
            ? JsonListing.Connections(entries)
            : new ConnectionFormatter(command.Numeric, command.PersistentConn, names).Format(entries));
        return 0;
    }

    /// <summary>list_timeout: one line from the status snapshot; exit 1 if lvsd gives none, as ipvsadm when the kernel fails.</summary>
    private static int PrintTimeouts(ParsedCommand command, ControlResponse response, TextWriter stdout, TextWriter stderr)
    {
        if (!response.Ok)
        {
            stderr.Write(Errors.DaemonRefusal(command.Command, response) + "\n");
            return Errors.ListFailedExit;
        }

        if (response.Status?.Timeouts is not { } timeouts)
        {
            stderr.Write($"{Errors.Program}: lvsd answered without timeouts\n");
            return Errors.ListFailedExit;
        }

        stdout.Write(command.Json ? JsonListing.Timeouts(timeouts) : ConnectionFormatter.FormatTimeouts(timeouts));
        return 0;
    }

    private static int PrintDrops(ParsedCommand command, ControlResponse response, TextWriter stdout, TextWriter stderr)
    {
        if (!response.Ok)
        {
            stderr.Write(Errors.DaemonRefusal(command.Command, response) + "\n");
            return Errors.ListFailedExit;
        }

        IReadOnlyList<DropCount> drops = response.Drops ?? [];
        stdout.Write(command.Json ? JsonListing.Drops(drops) : DropsFormatter.Format(drops));
        return 0;
    }

    /// <summary>-S: list_all with FMT_RULE; a failed listing exits 1 as in ipvsadm.</summary>
    private int PrintSave(ParsedCommand command, ControlResponse response, TextWriter stdout, TextWriter stderr)
    {
        if (!response.Ok)
        {
            stderr.Write(Errors.DaemonRefusal(command.Command, response) + "\n");
            return Errors.ListFailedExit;
        }

        if (response.Status is not { } status)
        {
            stderr.Write($"{Errors.Program}: lvsd answered without a status\n");
            return Errors.ListFailedExit;
        }

        stdout.Write(new SaveFormatter(command.Numeric, names).Format(status));
        return 0;
    }

    /// <summary>--reload: silent on success; lvsd's refusal names the file, line and column, and nothing changed.</summary>
    private static int ReportReload(ControlResponse response, TextWriter stderr)
    {
        if (response.Ok)
        {
            return 0;
        }

        string why = string.IsNullOrEmpty(response.Message) ? $"refused ({response.Error})" : response.Message;
        stderr.Write($"{Errors.Program}: reload failed, nothing changed: {why}\n");
        return Errors.CommandFailedExit;
    }

    /// <summary>ipvs_get_service's lookup: a fwmark service by its mark alone, the others by protocol, address and port.</summary>
    private static bool SameService(ServiceKey a, ServiceKey b)
    {
        if (a.IsFwmark() || b.IsFwmark())
        {
            return a.Protocol == b.Protocol && a.Fwmark == b.Fwmark && a.Ipv6 == b.Ipv6;
        }

        return a.Protocol == b.Protocol && a.Port == b.Port
            && IPAddress.TryParse(a.Address, out IPAddress? x) && IPAddress.TryParse(b.Address, out IPAddress? y) && x.Equals(y);
    }
}
