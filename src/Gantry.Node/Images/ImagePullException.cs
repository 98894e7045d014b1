namespace Gantry.Node.Images;

/// <summary>An image could not be made available; <see cref="Reason"/> is what the kubelet reports.</summary>
public sealed class ImagePullException : Exception
{
    /// <summary>A failure with a kubelet reason (ErrImagePull, ErrImageNeverPull, InvalidImageName).</summary>
    public ImagePullException(string reason, string message, Exception? inner = null) : base(message, inner) => Reason = reason;

    /// <summary>ErrImagePull, ErrImageNeverPull or InvalidImageName.</summary>
    public string Reason { get; }
}
