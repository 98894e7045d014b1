using System.Runtime.CompilerServices;

// The field-set and path-element internals of server-side apply are tested directly.
[assembly: InternalsVisibleTo("Gantry.Api.Tests")]
