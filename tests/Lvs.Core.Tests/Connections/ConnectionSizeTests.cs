using System.Runtime.CompilerServices;
using Lvs.Core.Connections;
using Xunit.Abstractions;

namespace Lvs.Core.Tests.Connections;

public class ConnectionSizeTests(ITestOutputHelper output)
{
    [Fact]
    public void Connection_WithItsIndexShare_FitsIpVsBudgetOf128Bytes()
    {
        // One entry in the array, its hash and wheel links (kept in arrays beside the entries),
        // plus its share of the bucket array (one int per entry at full capacity; buckets are a
        // power of two at least as large as the entry array).
        int entry = Unsafe.SizeOf<Connection>();
        int perConnection = entry + ConnectionTable.LinkBytesPerEntry + sizeof(int);
        output.WriteLine($"Connection entry {entry} bytes, with its links and bucket {perConnection} bytes");

        Assert.InRange(perConnection, 1, 128);
    }
}
