namespace Gantry.ApiServer; internal static class Placeholder { }
