using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTreasury.Business;

namespace OpenTreasury.Simulation.Demo;

/// <summary>
/// <c>POST /demo/action</c> on a demo node run in its own process: the <c>demo --processes</c> driver's steps, each carried
/// out by this node's desk with the demo's people, one at a time. Mapped only for a demo network and only with the run's
/// token (<see cref="HttpDemoParties.TokenHeader"/>), so nobody else can move the node.
/// </summary>
public static class DemoNodeEndpoints
{
    /// <summary>The environment variable through which the driver hands its node processes the run's token.</summary>
    public const string TokenVariable = "OPENTREASURY_DEMO_TOKEN";

    public static void Map(IEndpointRouteBuilder app, TreasuryNode node, string token)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(token);
        var expected = Encoding.UTF8.GetBytes(token);
        var oneAtATime = new SemaphoreSlim(1, 1);
        app.MapPost(HttpDemoParties.ActionPath, async (HttpContext http, CancellationToken cancellationToken) =>
        {
            var given = Encoding.UTF8.GetBytes(http.Request.Headers[HttpDemoParties.TokenHeader].ToString());
            if (!CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return Results.Problem(title: "演示驱动令牌无效", detail: "this node takes demo steps only from the driver that started it", statusCode: StatusCodes.Status403Forbidden);
            }

            var action = await http.Request.ReadFromJsonAsync<DemoAction>(DemoActions.Json, cancellationToken).ConfigureAwait(false);
            if (action is null)
            {
                return Results.Problem(title: "演示步骤为空", statusCode: StatusCodes.Status400BadRequest);
            }

            await oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return Results.Json(await DemoActions.ExecuteAsync(node, action, cancellationToken).ConfigureAwait(false), DemoActions.Json);
            }
            finally
            {
                oneAtATime.Release();
            }
        }).ExcludeFromDescription();
    }
}
