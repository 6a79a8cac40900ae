using Lvs.Linux.Tunnel;

namespace Lvs.Agent;

public static class Program
{
    public static int Main(string[] args)
    {
        AgentOptions? options = AgentOptions.Parse(args, out string? error);
        if (options is null)
        {
            Console.Error.WriteLine($"lvs-agent: {error}");
            Console.Error.WriteLine(AgentOptions.Usage);
            return 2;
        }

        if (options.Command == AgentCommand.Help)
        {
            Console.WriteLine(AgentOptions.Usage);
            return 0;
        }

        if (options.Command == AgentCommand.Feedback)
        {
            return Feedback.FeedbackHost.Run(options.Feedback!);
        }

        if (!Privilege.IsEffectiveRoot)
        {
            Console.Error.WriteLine("lvs-agent: needs root (it changes addresses and sysctls, and opens raw sockets)");
            return 1;
        }

        return AgentHost.Run(options);
    }
}
