using System.Text.Json.Serialization;

namespace Gantry.Node.Images;

/// <summary>
/// Serializer metadata generated at build time for the image documents the node reads and writes (manifests, configs,
/// <c>docker save</c> manifests); nulls are left out when writing, as the manifest made for a <c>docker save</c> archive needs.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ManifestDocument))]
[JsonSerializable(typeof(ConfigDocument))]
[JsonSerializable(typeof(List<ArchiveReader.DockerArchiveEntry>))]
internal sealed partial class ImageDocumentsJson : JsonSerializerContext;
