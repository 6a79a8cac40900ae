using Lvs.Core.Packets;

namespace Lvs.Core.Tests.Packets;

public class EthernetFrameTests
{
    [Fact]
    public void TryCreate_Header_ReadsAddressesAndType()
    {
        byte[] bytes = Convert.FromHexString("0200000000010200000000020800aa");

        Assert.True(EthernetFrame.TryCreate(bytes, out EthernetFrame eth));
        Assert.Equal("020000000001", Convert.ToHexStringLower(eth.Destination));
        Assert.Equal("020000000002", Convert.ToHexStringLower(eth.Source));
        Assert.Equal(EthernetFrame.TypeIPv4, eth.EtherType);
        Assert.Equal(1, eth.Payload.Length);
        Assert.Equal(15, eth.Bytes.Length);
    }

    [Fact]
    public void TryCreate_VlanTagged_ReportsTypeVlan()
    {
        byte[] bytes = Convert.FromHexString("0200000000010200000000028100");
        Assert.True(EthernetFrame.TryCreate(bytes, out EthernetFrame eth));
        Assert.Equal(EthernetFrame.TypeVlan, eth.EtherType);
    }

    [Fact]
    public void TryCreate_Truncated_Rejected()
    {
        Assert.False(EthernetFrame.TryCreate(new byte[13], out _));
    }
}
