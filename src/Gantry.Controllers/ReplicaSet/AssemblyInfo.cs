using System.Runtime.CompilerServices;

// The replica controllers' building blocks (expectations, ranking, slow start) are unit-tested directly.
[assembly: InternalsVisibleTo("Gantry.Controllers.Tests")]
