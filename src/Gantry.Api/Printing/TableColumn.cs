namespace Gantry.Api.Printing;

/// <summary>A column of a server-side printed Table (meta.k8s.io/v1 TableColumnDefinition).</summary>
/// <param name="Name">Header, e.g. NAME.</param>
/// <param name="Type">OpenAPI type: string, integer, number, boolean, date.</param>
/// <param name="Format">"name" for the name column, otherwise usually empty.</param>
/// <param name="Description">Column description.</param>
/// <param name="Priority">0 for default columns, 1 for the ones <c>-o wide</c> adds.</param>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority = 0);
