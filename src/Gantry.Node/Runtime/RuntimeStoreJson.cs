using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Node.Runtime;

/// <summary>
/// Serializer metadata generated at build time for the engine's records (<see cref="RuntimeStore"/>): reflection-based
/// serialization cannot build converters for them in a NativeAOT build (bench/RESULTS.md, issue 6, branch aot).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SandboxRecord))]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class RuntimeStoreJson : JsonSerializerContext;
