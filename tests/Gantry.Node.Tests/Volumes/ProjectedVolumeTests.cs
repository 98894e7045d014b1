using System.Text;
using System.Text.Json;
using Gantry.Client;
using Gantry.Node.Volumes;
using k8s.Models;

namespace Gantry.Node.Tests.Volumes;

public sealed class ProjectedVolumeTests : VolumeTestBase
{
    [Fact]
    public async Task DownwardApi_WritesPodMetadataAndContainerResources()
    {
        V1DownwardAPIVolumeFile Field(string path, string field) => new() { Path = path, FieldRef = new V1ObjectFieldSelector { FieldPath = field } };
        V1DownwardAPIVolumeFile Resource(string path, string resource, string? divisor = null) => new()
        {
            Path = path,
            ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "main", Resource = resource, Divisor = divisor is null ? null : new ResourceQuantity(divisor) },
        };
        var pod = await PodAsync([new V1Volume
        {
            Name = "info",
            DownwardAPI = new V1DownwardAPIVolumeSource
            {
                Items =
                [
                    Field("labels", "metadata.labels"), Field("annotations", "metadata.annotations"), Field("name", "metadata.name"), Field("namespace", "metadata.namespace"),
                    Field("uid", "metadata.uid"), Field("note", "metadata.annotations['note']"),
                    Resource("mem_limit", "limits.memory", "1Mi"), Resource("cpu_request", "requests.cpu", "1m"), Resource("cpu_limit", "limits.cpu"),
                ],
            },
        }]);

        var dir = (await Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["info"];

        Assert.Equal(Path.Combine(Paths.PodsDir, pod.Metadata.Uid, "volumes", "kubernetes.io~downward-api", "info"), dir);
        Assert.Equal("app=\"web\"\ntier=\"front\"", Read(dir, "labels"));
        Assert.Equal("note=\"hello\"\nquote=\"say \\\"hi\\\"\"", Read(dir, "annotations"));
        Assert.Equal(pod.Metadata.Name, Read(dir, "name"));
        Assert.Equal(Ns, Read(dir, "namespace"));
        Assert.Equal(pod.Metadata.Uid, Read(dir, "uid"));
        Assert.Equal("hello", Read(dir, "note"));
        Assert.Equal("64", Read(dir, "mem_limit"));
        Assert.Equal("250", Read(dir, "cpu_request"));
        Assert.Equal("1", Read(dir, "cpu_limit"));
    }

    [Fact]
    public async Task KubeApiAccess_HasABoundToken_TheClusterCaAndTheNamespace_RefreshedAt80PercentOfItsLife()
    {
        var counting = new CountingApiClient(Server.Client);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var volumes = new VolumeManager(Paths, counting, time);
        await CreateServiceAccountAsync();
        await ConfigMapAsync("kube-root-ca.crt", new() { ["ca.crt"] = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n" });
        var pod = await PodAsync([KubeApiAccess()], create: true);

        var dir = (await volumes.SetUpPodVolumesAsync(pod, CancellationToken.None))["kube-api-access-x7k2p"];

        Assert.Equal(Path.Combine(Paths.PodsDir, pod.Metadata.Uid, "volumes", "kubernetes.io~projected", "kube-api-access-x7k2p"), dir);
        Assert.True(IsMounted(dir, "tmpfs"));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Read(dir, "ca.crt"), StringComparison.Ordinal);
        Assert.Equal(Ns, Read(dir, "namespace"));
        var claims = TokenClaims(Read(dir, "token"));
        Assert.Contains(pod.Metadata.Uid, claims, StringComparison.Ordinal);
        Assert.Contains("system:serviceaccount:default:default", claims, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0x1A4, ModeOf(dir, "token"));
        Assert.Equal(1, counting.TokenRequests);

        time.Now += TimeSpan.FromSeconds(3607 * 0.7);
        await volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);
        Assert.Equal(1, counting.TokenRequests);

        time.Now += TimeSpan.FromSeconds(3607 * 0.15);
        await volumes.SetUpPodVolumesAsync(pod, CancellationToken.None);
        Assert.Equal(2, counting.TokenRequests);
    }

    [Fact]
    public async Task Projected_ReportsEveryMissingSourceAtOnce()
    {
        var pod = await PodAsync([new V1Volume
        {
            Name = "all",
            Projected = new V1ProjectedVolumeSource
            {
                Sources =
                [
                    new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "no-cm" } },
                    new V1VolumeProjection { Secret = new V1SecretProjection { Name = "no-secret" } },
                    new V1VolumeProjection { Secret = new V1SecretProjection { Name = "optional", Optional = true } },
                ],
            },
        }]);

        var failure = await Assert.ThrowsAsync<VolumeException>(() => Volumes.SetUpPodVolumesAsync(pod, CancellationToken.None));

        Assert.Equal("MountVolume.SetUp failed for volume \"all\" : [configmap \"no-cm\" not found, secret \"no-secret\" not found]", failure.Message);
    }

    /// <summary>The volume the ServiceAccount admission plugin adds to every pod.</summary>
    private static V1Volume KubeApiAccess() => new()
    {
        Name = "kube-api-access-x7k2p",
        Projected = new V1ProjectedVolumeSource
        {
            DefaultMode = 420,
            Sources =
            [
                new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = 3607 } },
                new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                new V1VolumeProjection
                {
                    DownwardAPI = new V1DownwardAPIProjection
                    {
                        Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }],
                    },
                },
            ],
        },
    };

    private async Task CreateServiceAccountAsync()
    {
        try
        {
            await Server.Client.For<V1ServiceAccount>().CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default", NamespaceProperty = Ns } });
        }
        catch (ApiClientException ex) when (ex.IsAlreadyExists)
        {
            // The server made it already.
        }
    }

    private static string TokenClaims(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload));
        using var _ = JsonDocument.Parse(json);
        return json;
    }
}
