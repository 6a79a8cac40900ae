using Lvs.Linux;

namespace Lvs.Vrrp;

/// <summary>
/// Runs one vrrp_script every interval (through /bin/sh -c, bounded by its timeout; a timeout
/// counts as a failure) and keeps keepalived's rise/fall state: Fall failures in a row make it
/// failed, Rise successes in a row make it good again. Starts good, as keepalived does without init_fail.
/// </summary>
internal sealed class ScriptTracker : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _good = true;
    private int _successes;
    private int _failures;

    public ScriptTracker(VrrpScriptConfig config) => Config = config;

    public VrrpScriptConfig Config { get; }

    public bool Good => _good;

    public void Start() => _ = Task.Run(RunAsync);

    /// <summary>Feeds one result into the rise/fall counters (separate for tests).</summary>
    public void Record(bool success)
    {
        if (success)
        {
            _failures = 0;
            if (!_good && ++_successes >= Config.Rise)
            {
                _good = true;
                Log.Info("vrrp script good", ("script", Config.Name));
            }
        }
        else
        {
            _successes = 0;
            if (_good && ++_failures >= Config.Fall)
            {
                _good = false;
                Log.Warn("vrrp script failed", ("script", Config.Name));
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            bool ok;
            try
            {
                ok = ProcessRunner.Run("/bin/sh", ["-c", Config.Script], null, Config.Timeout).Succeeded;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                ok = false;
            }

            Record(ok);
            try
            {
                await Task.Delay(Config.Interval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
