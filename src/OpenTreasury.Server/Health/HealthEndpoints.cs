using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Server.Health;

public sealed record HealthResponse(string Party, string Organisation, string Status);

/// <summary><c>GET /health</c>: the node answers, and says whose it is. Needs no login.</summary>
public static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app, NodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var organisation = CertificateIdentities.TryRead(context.Library.Signing.Certificate, out var identity) ? identity.Name : context.Node.Party.ToString();
        app.MapGet("/health", () => Results.Ok(new HealthResponse(context.Node.Party.ToString(), organisation, "ok")))
            .WithTags("Health 运行状态")
            .WithName("Health")
            .WithSummary("Is the node up, and whose is it 节点状态")
            .Produces<HealthResponse>();
    }
}
