using System.Text;

namespace Gantry.Client.Transport;

/// <summary>Builds a path with an escaped query string.</summary>
internal struct QueryString(string path)
{
    private StringBuilder? _builder;

    /// <summary>Appends name=value when the value is not null or empty.</summary>
    public QueryString Add(string name, string? value)
    {
        if (string.IsNullOrEmpty(value)) return this;
        _builder ??= new StringBuilder(path, path.Length + 64);
        _builder.Append(_builder.Length == path.Length ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    /// <summary>Appends the selectors and paging of list options.</summary>
    public QueryString Add(ListOptions? options)
    {
        if (options is null) return this;
        return Add("labelSelector", options.LabelSelector).Add("fieldSelector", options.FieldSelector)
            .Add("resourceVersion", options.ResourceVersion).Add("limit", options.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("continue", options.Continue);
    }

    /// <inheritdoc />
    public override readonly string ToString() => _builder?.ToString() ?? path;
}
