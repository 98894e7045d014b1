namespace Gantry.Controllers.ServiceAccount;

/// <summary>Settings of the service account controller, with Kubernetes' defaults.</summary>
public sealed record ServiceAccountOptions
{
    /// <summary>The service accounts every active namespace gets.</summary>
    public IReadOnlyList<string> ServiceAccounts { get; init; } = ["default"];

    /// <summary>Workers (kube-controller-manager runs this controller with one).</summary>
    public int Workers { get; init; } = 1;
}
