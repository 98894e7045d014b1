using System.Text.Json.Nodes;
using Gantry.Api.Registry;
using Gantry.ApiServer.Security;
using Gantry.ApiServer.Security.Authorization;

namespace Gantry.ApiServer.Admission;

/// <summary>
/// The admission checks that depend on who writes (NodeRestriction, RBAC escalation prevention), run by the resource
/// service inside creates and updates. A no-op for system:masters and in-process callers (no <see cref="RequestScope"/>).
/// </summary>
internal static class RequesterAdmission
{
    /// <summary>Admits an object being created.</summary>
    public static void AdmitCreate(ResourceDefinition def, JsonObject obj)
    {
        if (RequestScope.Current is null) return;
        NodeRestriction.AdmitCreate(def, obj);
        EscalationCheck.Admit(def, obj);
    }

    /// <summary>Admits an update (of the object or its status) given the stored object.</summary>
    public static void AdmitUpdate(ResourceDefinition def, JsonObject updated, JsonObject old, bool status)
    {
        if (RequestScope.Current is null) return;
        NodeRestriction.AdmitUpdate(def, updated, old, status);
        if (!status) EscalationCheck.Admit(def, updated);
    }
}
