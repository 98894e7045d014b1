using Gantry.Api.Errors;
using Gantry.Api.Protobuf;
using Xunit;

namespace Gantry.Api.Tests.Protobuf;

internal static class ProtobufAssert
{
    /// <summary>Decoding either succeeds or fails with a 400 ApiException; any other exception fails the test.</summary>
    public static void DecodesOrIsBadRequest(byte[] body)
    {
        try
        {
            KubernetesProtobuf.Decode(body);
        }
        catch (ApiException e)
        {
            Assert.Equal(400, e.Code);
            Assert.Equal("BadRequest", e.Reason);
        }
    }

    /// <summary>Decoding fails with 400 BadRequest whose message contains <paramref name="fragment"/>.</summary>
    public static void IsBadRequest(byte[] body, string fragment)
    {
        var error = Assert.Throws<ApiException>(() => KubernetesProtobuf.Decode(body));
        Assert.Equal(400, error.Code);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }
}
