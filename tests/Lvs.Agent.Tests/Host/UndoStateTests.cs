using Lvs.Agent.Host;

namespace Lvs.Agent.Tests.Host;

public sealed class UndoStateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lvs-agent-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SaveLoad_AllEntryShapes_RoundTrip()
    {
        var state = new UndoState
        {
            Pid = 4242,
            Changes =
            [
                new UndoEntry { SysctlPath = "/proc/sys/net/ipv4/conf/all/arp_ignore", OldValue = "0" },
                new UndoEntry { Address = "192.0.2.10/32", Device = "lo" },
                new UndoEntry { Command = ["ip", "fou", "del", "port", "6080"] },
            ],
        };
        string path = Path.Combine(_dir, "sub", "state.json");

        state.Save(path);
        UndoState? loaded = UndoState.Load(path, out string? error);

        Assert.Null(error);
        Assert.NotNull(loaded);
        Assert.Equal(4242, loaded.Pid);
        Assert.Equal(3, loaded.Changes.Count);
        Assert.Equal(state.Changes[0], loaded.Changes[0]);
        Assert.Equal(state.Changes[1], loaded.Changes[1]);
        Assert.Equal(state.Changes[2].Command, loaded.Changes[2].Command);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\": 2, \"changes\": []}")]
    [InlineData("null")]
    public void Load_GarbageOrOtherVersion_NullWithReason(string content)
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, content);
        Assert.Null(UndoState.Load(path, out string? error));
        Assert.Contains(path, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NullWithReason()
    {
        Assert.Null(UndoState.Load(Path.Combine(_dir, "absent.json"), out string? error));
        Assert.NotNull(error);
    }

    [Fact]
    public void SuppressArp_FakeProcSys_RecordsOnlyChangedValuesAndRestoresThem()
    {
        string procSys = Path.Combine(_dir, "proc");
        foreach (string name in new[] { "all", "default", "lo", "eth0", "eth1" })
        {
            string conf = Path.Combine(procSys, "net/ipv4/conf", name);
            Directory.CreateDirectory(conf);
            File.WriteAllText(Path.Combine(conf, "arp_ignore"), name == "eth1" ? "1\n" : "0\n");
            File.WriteAllText(Path.Combine(conf, "arp_announce"), "0\n");
        }

        string statePath = Path.Combine(_dir, "state.json");
        var host = new HostChanges(statePath, procSys);

        var interfaces = host.ArpInterfaces([]);
        Assert.Equal(["all", "eth0", "eth1"], interfaces);
        host.SuppressArp(interfaces);

        string Read(string name, string key) => File.ReadAllText(Path.Combine(procSys, "net/ipv4/conf", name, key)).Trim();
        Assert.Equal("1", Read("eth0", "arp_ignore"));
        Assert.Equal("2", Read("eth0", "arp_announce"));
        Assert.Equal("0", Read("lo", "arp_ignore"));
        Assert.Equal("0", Read("default", "arp_ignore"));

        // eth1's arp_ignore was already 1: not recorded, so not "restored" to anything.
        Assert.Equal(5, host.Changes.Count);
        UndoState? onDisk = UndoState.Load(statePath, out _);
        Assert.Equal(5, onDisk!.Changes.Count);

        Assert.True(host.Restore());
        Assert.Equal("0", Read("eth0", "arp_ignore"));
        Assert.Equal("0", Read("all", "arp_announce"));
        Assert.Equal("1", Read("eth1", "arp_ignore"));
        Assert.False(File.Exists(statePath));
    }

    [Fact]
    public void Undo_SysctlOfVanishedInterface_SkippedAndStateRemoved()
    {
        string statePath = Path.Combine(_dir, "state.json");
        var state = new UndoState { Changes = [new UndoEntry { SysctlPath = Path.Combine(_dir, "gone/rp_filter"), OldValue = "1" }] };
        state.Save(statePath);

        Assert.True(HostChanges.Undo(state, statePath));
        Assert.False(File.Exists(statePath));
    }
}
