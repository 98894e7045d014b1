using System.Text.Json.Nodes;

namespace Gantry.Api.Patching;

/// <summary>The outcome of a server-side apply.</summary>
/// <param name="Object">The object to store, with <c>metadata.managedFields</c> updated.</param>
/// <param name="Changed">False when the apply was a no-op (the live object is returned unchanged, timestamps too).</param>
public sealed record ApplyResult(JsonObject Object, bool Changed);
