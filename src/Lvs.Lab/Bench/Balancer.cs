namespace Lvs.Lab.Bench;

/// <summary>
/// One row of the lab benchmark: something that takes the client's traffic for the VIP (or, for
/// the baseline, a plain router) and hands it to the real servers. Every balancer serves the same
/// three things: TCP port 80 round robin over the real servers (nginx there), TCP and UDP port
/// 5201 to the first real server only (iperf3's control and data connections must meet the
/// same server), and TCP port <see cref="BenchLabs.HoldPort"/> round robin (the hold servers).
/// The proxies spread their own connections to the hold servers over two ports of each real
/// server (HoldPort and HoldPort + 1): the kernel gives one source address only about 32,000
/// ephemeral ports per destination for connect(), short of 50,000 per real server.
/// </summary>
internal abstract class Balancer(string id, string title, LabTopology lab)
{
    /// <summary>The row id of <c>--rows</c>.</summary>
    public string Id { get; } = id;

    /// <summary>The row's title in the table.</summary>
    public string Title { get; } = title;

    /// <summary>The lab the row runs in.</summary>
    public LabTopology Lab { get; } = lab;

    /// <summary>The address the client sends to.</summary>
    public virtual string Target => LabTopology.Vip;

    /// <summary>False where the balancer has no UDP (HAProxy).</summary>
    public virtual bool Udp => true;

    /// <summary>False for the kernel's rows: no process of their own to measure.</summary>
    public virtual bool HasProcess => true;

    /// <summary>Proxies spread the idle-connection phase over this many processes or workers.</summary>
    public virtual bool NeedsProcessesForHold => false;

    /// <summary>The balancer's own processes (children included by the caller).</summary>
    public virtual IEnumerable<int> Pids => [];

    /// <summary>Starts the balancer; proxies run <paramref name="processes"/> processes or workers.</summary>
    public abstract void Start(int processes);

    /// <summary>Stops it and removes what it installed; safe when not started.</summary>
    public abstract void Stop();

    /// <summary>Runs a command in the namespace where the balancer lives.</summary>
    protected ExecResult Director(params string[] command) => Lab.Exec(Lab.DirectorNamespace, command).EnsureSuccess();

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the lab's temp directory; returns the path.</summary>
    protected string WriteFile(string name, string text)
    {
        string path = Path.Combine(Lab.TempDirectory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
