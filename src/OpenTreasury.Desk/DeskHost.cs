using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using OpenTreasury.Server;

namespace OpenTreasury.Desk;

/// <summary>
/// The desks (柜面) of one node in the browser: server-rendered Razor Pages under <c>/desk</c>, in Chinese, over the
/// same library and business calls as the CLI and the API. People log in with their USBKey through their
/// support control; forms carry antiforgery tokens; logins are rate-limited; sessions are the node's own
/// (idle and absolute expiry), held in an HttpOnly, SameSite=Strict cookie.
/// </summary>
public static class DeskHost
{
    public const string LoginPolicy = "desk-login";

    /// <summary>Logins one client address may try per minute.</summary>
    public const int LoginsPerMinuteMax = 20;

    /// <summary>The node host's options with the desks added.</summary>
    public static NodeHostOptions WithDesks(this NodeHostOptions options, DeskOptions desk)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(desk);
        return options.With((services, _) => AddServices(services, desk), Map);
    }

    private static void AddServices(IServiceCollection services, DeskOptions desk)
    {
        services.AddSingleton(desk);
        // Antiforgery tokens live as long as the node's sessions, which are in memory too: no key ring on disk.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddRazorPages(o => o.RootDirectory = "/Pages")
            .ConfigureApplicationPartManager(parts => parts.ApplicationParts.Add(new CompiledRazorAssemblyPart(typeof(DeskHost).Assembly)))
            .AddApplicationPart(typeof(DeskHost).Assembly);
        services.AddAntiforgery(o =>
        {
            o.HeaderName = DeskSession.AntiforgeryHeader;
            o.Cookie.Name = "OT-Desk-Antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LoginPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = LoginsPerMinuteMax, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
    }

    private static void Map(WebApplication app)
    {
        app.UseRateLimiter();
        app.Use(async (http, next) =>
        {
            // The desks are pages of this node only: no framing, no sniffing, no referrer to other sites.
            if (http.Request.Path.StartsWithSegments("/desk", StringComparison.Ordinal))
            {
                http.Response.Headers.XFrameOptions = "DENY";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers["Referrer-Policy"] = "same-origin";
            }

            await next(http).ConfigureAwait(false);
        });
        app.MapGet("/", () => Results.Redirect("/desk"));
        app.MapRazorPages();
        DeskAssets.Map(app);
        DeskApi.Map(app);
    }

    internal static async Task<bool> ValidAntiforgeryAsync(HttpContext http)
    {
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        return await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false);
    }
}
