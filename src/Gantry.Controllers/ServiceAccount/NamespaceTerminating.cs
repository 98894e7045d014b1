using Gantry.Client;

namespace Gantry.Controllers.ServiceAccount;

/// <summary>Recognizes the API's refusal to create content in a namespace that is being deleted.</summary>
internal static class NamespaceTerminating
{
    /// <summary>
    /// Whether a create failed because the namespace is gone or terminating: nothing to retry, the namespace controller
    /// is emptying it.
    /// </summary>
    public static bool Refused(ApiClientException ex) =>
        ex.IsNotFound || ex.Status?.Details?.Causes?.Any(c => c.Reason == "NamespaceTerminating") == true;
}
