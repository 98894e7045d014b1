using System.Net;
using Gantry.Node.Network.Overlay;

namespace Gantry.Node.Tests.Overlay;

public sealed class FlannelAnnotationsTests
{
    [Fact]
    public void For_Vxlan_PublishesFlannelsBackendDataFormat()
    {
        var annotations = FlannelAnnotations.For(OverlayBackend.Vxlan, IPAddress.Parse("192.168.1.2"), 1, "02:11:22:33:44:55");

        Assert.Equal("vxlan", annotations["flannel.alpha.coreos.com/backend-type"]);
        Assert.Equal("{\"VNI\":1,\"VtepMAC\":\"02:11:22:33:44:55\"}", annotations["flannel.alpha.coreos.com/backend-data"]);
        Assert.Equal("192.168.1.2", annotations["flannel.alpha.coreos.com/public-ip"]);
        Assert.Equal("true", annotations["flannel.alpha.coreos.com/kube-subnet-manager"]);
    }

    [Fact]
    public void For_HostGw_PublishesNullBackendData()
    {
        var annotations = FlannelAnnotations.For(OverlayBackend.HostGw, IPAddress.Parse("192.168.1.2"), 1, "02:11:22:33:44:55");

        Assert.Equal("host-gw", annotations[FlannelAnnotations.BackendType]);
        Assert.Equal("null", annotations[FlannelAnnotations.BackendData]);
    }

    [Theory]
    [InlineData("{\"VNI\":1,\"VtepMAC\":\"0A:0B:0C:0D:0E:0F\"}", "0a:0b:0c:0d:0e:0f")]
    [InlineData("{\"VNI\":1}", null)]
    [InlineData("{\"VtepMAC\":\"not-a-mac\"}", null)]
    [InlineData("null", null)]
    [InlineData("{broken", null)]
    [InlineData("", null)]
    public void VtepMac_ReadsTheMacOfFlannelBackendData(string data, string? expected) => Assert.Equal(expected, FlannelAnnotations.VtepMac(data));

    [Fact]
    public void VtepMac_DerivedFromTheNodeName_IsStableUnicastAndLocallyAdministered()
    {
        var mac = OverlayNames.VtepMac("node-a");

        Assert.Equal(mac, OverlayNames.VtepMac("node-a"));
        Assert.NotEqual(mac, OverlayNames.VtepMac("node-b"));
        var first = Convert.ToByte(mac[..2], 16);
        Assert.Equal(0x02, first & 0x03);
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", mac);
    }

    [Fact]
    public void MasqueradeRules_ReturnPodToPodAndMasqueradeWhatLeavesTheCluster()
    {
        var rules = OverlayMasquerade.Transaction("t", IPNetwork.Parse("10.42.0.0/16"), IPNetwork.Parse("10.42.1.0/24"));

        Assert.Contains("ip saddr 10.42.0.0/16 ip daddr 10.42.0.0/16 return\n", rules);
        Assert.Contains("ip saddr 10.42.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random\n", rules);
        Assert.Contains("ip saddr != 10.42.0.0/16 ip daddr 10.42.1.0/24 return\n", rules);
        Assert.Contains("ip saddr != 10.42.0.0/16 ip daddr 10.42.0.0/16 masquerade fully-random\n", rules);
        Assert.True(rules.IndexOf("daddr 10.42.0.0/16 return", StringComparison.Ordinal) < rules.IndexOf("masquerade", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("vxlan", OverlayBackend.Vxlan)]
    [InlineData("host-gw", OverlayBackend.HostGw)]
    [InlineData("none", OverlayBackend.None)]
    public void ParseBackend_TakesK3sFlagValues(string flag, OverlayBackend expected) => Assert.Equal(expected, OverlayOptions.ParseBackend(flag));

    [Fact]
    public void ParseBackend_RejectsUnknownValues() => Assert.Throws<ArgumentException>(() => OverlayOptions.ParseBackend("udp"));
}
