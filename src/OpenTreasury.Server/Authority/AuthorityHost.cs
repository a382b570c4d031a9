using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTreasury.Authority;
using OpenTreasury.Server.Logging;
using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Server.Authority;

public sealed record AuthorityHealth(string Role, string Network, string TsaCertificateSerial, string Status);

/// <summary>
/// The network authority's online side over HTTP: its TSA (RFC 3161 §3.4, <c>POST /tsa</c> with
/// <c>application/timestamp-query</c>, answered <c>application/timestamp-reply</c>) and <c>GET /health</c>. The CA and
/// the seal maker are not served: certificates, CRLs and seals are made by the operators with the CLI. The caller
/// starts and stops the host.
/// </summary>
public static class AuthorityHost
{
    public const string TsaPath = "/tsa";

    public static WebApplication Build(NetworkAuthority authority, string url)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = TimestampRequests.RequestBytesMax);
        builder.Logging.ClearProviders().AddProvider(new OneLineLoggerProvider(Console.Error)).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>();
        var app = builder.Build();
        var health = new AuthorityHealth("authority", authority.Pki.Root.SubjectDN.ToString(), authority.Timestamps.Certificate.SerialNumber.ToString(16), "ok");
        app.MapGet("/health", () => Results.Ok(health));
        app.MapPost(TsaPath, (Func<HttpContext, Task<IResult>>)(context => StampAsync(context, authority.Timestamps)));
        return app;
    }

    private static async Task<IResult> StampAsync(HttpContext context, TimestampAuthority tsa)
    {
        var mediaType = context.Request.ContentType is { } type ? type.Split(';')[0].Trim() : null;
        if (!string.Equals(mediaType, HttpTimestampAuthority.RequestMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem(title: "请求类型错误", detail: $"时间戳请求的类型须为 {HttpTimestampAuthority.RequestMediaType}。", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (context.Request.ContentLength > TimestampRequests.RequestBytesMax)
        {
            return TooLarge();
        }

        var buffer = new byte[TimestampRequests.RequestBytesMax + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        if (length > TimestampRequests.RequestBytesMax)
        {
            return TooLarge();
        }

        // Respond never throws on a hostile request: a malformed one is answered with an RFC 3161 rejection.
        return Results.Bytes(tsa.Respond(buffer.AsSpan(0, length)), HttpTimestampAuthority.ResponseMediaType);
    }

    private static IResult TooLarge() =>
        Results.Problem(title: "请求过大", detail: $"时间戳请求不得超过 {TimestampRequests.RequestBytesMax} 字节。", statusCode: StatusCodes.Status413PayloadTooLarge);
}
