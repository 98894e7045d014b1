namespace Gantry.Node.Network;

/// <summary>A CNI plugin failed: its error code and message (CNI spec, "Error" result) or how it could not be run.</summary>
public sealed class CniException : Exception
{
    /// <summary>A failure of <paramref name="plugin"/> reported with the CNI error <paramref name="code"/>.</summary>
    public CniException(string plugin, int code, string message, string? details = null)
        : base(Format(plugin, code, message, details))
    {
        Plugin = plugin;
        Code = code;
    }

    /// <summary>The plugin type (bridge, host-local, portmap, ...).</summary>
    public string Plugin { get; }

    /// <summary>The CNI error code (1-99 reserved by the spec, e.g. 7 invalid network config; 999 when the plugin gave none).</summary>
    public int Code { get; }

    private static string Format(string plugin, int code, string message, string? details) =>
        string.IsNullOrEmpty(details) ? $"CNI plugin {plugin} failed (code {code}): {message}" : $"CNI plugin {plugin} failed (code {code}): {message}; {details}";
}
