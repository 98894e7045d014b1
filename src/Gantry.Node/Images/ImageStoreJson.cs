using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Node.Images;

/// <summary>
/// Serializer metadata generated at build time for the image store's index (images.json): reflection-based
/// serialization cannot build the converters of its records in a NativeAOT build (bench/RESULTS.md, issue 6, branch aot).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StoreIndexFile))]
internal sealed partial class ImageStoreJson : JsonSerializerContext;
