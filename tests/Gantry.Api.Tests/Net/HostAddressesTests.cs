using System.Net;
using Gantry.Api.Net;

namespace Gantry.Api.Tests.Net;

public sealed class HostAddressesTests
{
    [Fact]
    public void All_ListsTheLoopbackInterfacesAddress()
    {
        Assert.Contains(HostAddresses.All(), a => a.Address.Equals(IPAddress.Loopback));
    }

    [Fact]
    public void FirstUsableIPv4_IsNeverLoopbackNorIPv6()
    {
        if (HostAddresses.FirstUsableIPv4() is { } address)
        {
            Assert.False(IPAddress.IsLoopback(address));
            Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, address.AddressFamily);
        }
        else Assert.DoesNotContain(HostAddresses.All(), a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address)
            && a.Interface.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up);
    }
}
