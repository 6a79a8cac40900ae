using System.Diagnostics;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.PacketIO;

public class PollSetTests
{
    [Fact]
    public void Wait_NothingSignalled_TimesOut()
    {
        using var wake = new WakeupEvent();
        using var poll = new PollSet(1);
        int index = poll.Add(wake.Fd);
        var watch = Stopwatch.StartNew();

        int ready = poll.Wait(50);

        Assert.Equal(0, ready);
        Assert.False(poll.IsReadable(index));
        Assert.True(watch.ElapsedMilliseconds >= 40, $"returned after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Wait_SignalledFromOtherThread_WakesAndResets()
    {
        using var wake = new WakeupEvent();
        using var other = new WakeupEvent();
        using var poll = new PollSet(1);
        int otherIndex = poll.Add(other.Fd);
        int wakeIndex = poll.Add(wake.Fd); // grows past the initial capacity
        var signaller = new Thread(() =>
        {
            Thread.Sleep(20);
            wake.Signal();
            wake.Signal();
        });
        signaller.Start();

        int ready = poll.Wait(5000);
        signaller.Join();

        Assert.Equal(1, ready);
        Assert.True(poll.IsReadable(wakeIndex));
        Assert.False(poll.IsReadable(otherIndex));
        Assert.True(wake.Reset());
        Assert.False(wake.Reset());
        Assert.Equal(0, poll.Wait(0));
    }

    [Fact]
    public void IsReadable_IndexOutOfRange_Throws()
    {
        using var poll = new PollSet();

        Assert.Throws<ArgumentOutOfRangeException>(() => poll.IsReadable(0));
    }
}
