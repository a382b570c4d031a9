using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Trust.Tokens;
using OpenTreasury.Wire;

namespace OpenTreasury.Agent;

public sealed record AgentStatus(string Agent, IReadOnlyList<string> People);

public sealed record AgentLoginRequest(string UserId, string Pin, string Party, string Challenge);

public sealed record AgentLoginResponse(string UserId, string Signature);

public sealed record AgentStampPosition(string Position, string SealDer, string PropertyInfo);

/// <summary>A stamp request from a desk page: the voucher's bytes (base64 of its GBK XML) and its positions.</summary>
public sealed record AgentStampRequest(string UserId, string Pin, string Voucher, IReadOnlyList<AgentStampPosition> Positions);

public sealed record AgentStamp(string Position, string Der);

public sealed record AgentStampResponse(string UserId, string Shown, IReadOnlyList<AgentStamp> Stamps);

/// <summary>Why the support control refused; the numbers are stable.</summary>
public enum AgentRejection
{
    None = 0,
    OriginNotAllowed = 1,  // the calling page is not one of the desks this control serves
    InvalidInput = 2,      // a field is missing, too long or not base64
    TokenRefused = 3,      // no such USBKey here, a wrong PIN, a locked PIN
    NotThisVoucher = 4,    // a position's propertyInfo names another voucher than the bytes shown
    NotYourSeal = 5,       // the seal is not bound to the certificate on this USBKey
}

/// <summary>
/// The support control (支撑控件) on a person's own machine: a loopback-only HTTP service that the desk page in
/// their browser calls to sign a login challenge or make their personal stamps with their USBKey. The PIN comes
/// with each request from the page's prompt and is used once, never stored; the private key never leaves the
/// USBKey; it answers only the desk origins it is configured for; and it shows on its console what it signs
/// (VtCode, number, amount), read from the voucher bytes it signs, not from the page's words.
/// </summary>
public static class SupportControl
{
    /// <summary>The default address of the support control on a person's machine (where the desks look for it).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5290";

    public const int RequestBytesMax = 1024 * 1024;

    public static WebApplication Build(ITokenSlots tokens, string url, AgentOrigins origins, TimeProvider clock, TextWriter shown)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(origins);
        ArgumentNullException.ThrowIfNull(shown);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var listen) || !listen.IsLoopback)
        {
            throw new ArgumentException($"the support control listens on loopback only, not {url}", nameof(url));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(url).ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestBytesMax);
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            var origin = http.Request.Headers.Origin.ToString();
            if (!origins.Contains(origin))
            {
                await Refused(AgentRejection.OriginNotAllowed, $"来源 {(origin.Length == 0 ? "（无）" : origin)} 不是本控件服务的柜面", StatusCodes.Status403Forbidden).ExecuteAsync(http).ConfigureAwait(false);
                return;
            }

            http.Response.Headers.AccessControlAllowOrigin = origin;
            http.Response.Headers.Vary = "Origin";
            if (HttpMethods.IsOptions(http.Request.Method))
            {
                http.Response.Headers.AccessControlAllowMethods = "GET, POST";
                http.Response.Headers.AccessControlAllowHeaders = "Content-Type";
                http.Response.Headers["Access-Control-Allow-Private-Network"] = "true";
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            await next(http).ConfigureAwait(false);
        });

        app.MapGet("/agent/status", () => Results.Ok(new AgentStatus("OpenTreasury 支撑控件", tokens.People)));
        app.MapPost("/agent/login", (AgentLoginRequest request) => Login(tokens, request, shown));
        app.MapPost("/agent/stamp", (AgentStampRequest request) => Stamp(tokens, request, clock, shown));
        return app;
    }

    private static IResult Login(ITokenSlots tokens, AgentLoginRequest request, TextWriter shown)
    {
        if (request is null || string.IsNullOrEmpty(request.UserId) || string.IsNullOrEmpty(request.Pin) || string.IsNullOrEmpty(request.Challenge)
            || request.Challenge.Length > 128 || !PartyId.TryParse(request.Party, out var party))
        {
            return Refused(AgentRejection.InvalidInput, "请求缺少用户、PIN 码、机构或挑战值");
        }

        return WithToken(tokens, request.UserId, request.Pin, container =>
        {
            var signed = container.SignMessage(LoginMessage.For(party, request.UserId, request.Challenge), Sm2.DefaultUserId);
            if (!signed.Succeeded)
            {
                return TokenRefused(signed.Error, signed.Message, null);
            }

            shown.WriteLine($"登录 login: {request.UserId} 登录 {party}");
            return Results.Ok(new AgentLoginResponse(request.UserId, Convert.ToBase64String(signed.Value!)));
        });
    }

    private static IResult Stamp(ITokenSlots tokens, AgentStampRequest request, TimeProvider clock, TextWriter shown)
    {
        if (request is null || string.IsNullOrEmpty(request.UserId) || string.IsNullOrEmpty(request.Pin) || request.Positions is not { Count: > 0 and <= Domain.Limits.VoucherStampsMax }
            || !TryBase64(request.Voucher, out var voucherBytes))
        {
            return Refused(AgentRejection.InvalidInput, "请求缺少用户、PIN 码、凭证或签章位置");
        }

        // What is signed is read from the bytes signed: the page's own words are not trusted.
        var voucher = VoucherXml.Read(voucherBytes);
        if (!voucher.IsSuccess)
        {
            return Refused(AgentRejection.InvalidInput, "凭证内容无法读取，拒绝签章");
        }

        var v = voucher.Value;
        var no = v["VoucherNo"] ?? string.Empty;
        var vt = v["VtCode"] ?? string.Empty;
        var positions = new List<(AgentStampPosition Position, ElectronicSeal Seal)>();
        foreach (var p in request.Positions)
        {
            if (p is null || !TryBase64(p.SealDer, out var sealDer) || !ElectronicSeal.TryParse(sealDer, out var seal, out _) || string.IsNullOrEmpty(p.PropertyInfo))
            {
                return Refused(AgentRejection.InvalidInput, "签章位置缺少印章或绑定信息");
            }

            if (!p.PropertyInfo.StartsWith($"voucher:{vt}/", StringComparison.Ordinal) || !p.PropertyInfo.Contains($"/{no}/v", StringComparison.Ordinal))
            {
                return Refused(AgentRejection.NotThisVoucher, $"签章位置 {p.Position} 绑定的不是所显示的凭证 {vt} {no}");
            }

            positions.Add((p, seal));
        }

        var shownText = $"{vt} {no} 金额 {AmountText(v)}";
        return WithToken(tokens, request.UserId, request.Pin, container =>
        {
            if (container.SignCertificate is not { } certificate)
            {
                return TokenRefused(TokenError.KeyNotFound, "the USBKey holds no signing certificate", null);
            }

            var certificateDer = certificate.GetEncoded();
            var stamps = new List<AgentStamp>();
            foreach (var (position, seal) in positions)
            {
                if (seal.Info.Property.CertListType == SealProperty.CertListCertificates && !seal.Info.Property.Certificates.Any(c => c.AsSpan().SequenceEqual(certificateDer)))
                {
                    return Refused(AgentRejection.NotYourSeal, $"印章 {seal.Info.Property.Name} 没有绑定 {request.UserId} 的证书");
                }

                TokenResult<byte[]>? refused = null;
                var stamp = SealStamper.Stamp(seal, certificateDer, toSign =>
                {
                    var signed = container.SignMessage(toSign, Sm2.DefaultUserId);
                    refused = signed.Succeeded ? null : signed;
                    return signed.Value ?? [];
                }, voucherBytes, position.PropertyInfo, clock.GetUtcNow(), tsa: null);
                if (refused is { } r)
                {
                    return TokenRefused(r.Error, r.Message, r.RemainingRetries);
                }

                stamps.Add(new AgentStamp(position.Position, Convert.ToBase64String(stamp.Der)));
                shown.WriteLine($"签章 stamp: {request.UserId} 在 {shownText} 上签章（位置 {position.Position}，印章 {seal.Info.Property.Name}）");
            }

            return Results.Ok(new AgentStampResponse(request.UserId, shownText, stamps));
        });
    }

    private static IResult WithToken(ITokenSlots tokens, string userId, string pin, Func<IUsbKeyContainer, IResult> work)
    {
        var opened = tokens.Open(userId);
        if (!opened.Succeeded)
        {
            return TokenRefused(opened.Error, opened.Message, null);
        }

        using var device = opened.Value!;
        var application = device.OpenApplication(SoftUsbKey.ApplicationName);
        var pinResult = application.VerifyPin(pin);
        if (!pinResult.Succeeded)
        {
            return TokenRefused(pinResult.Error, pinResult.Message, pinResult.RemainingRetries);
        }

        try
        {
            return work(application.OpenContainer(SoftUsbKey.SignContainerName));
        }
        finally
        {
            application.Logout();
        }
    }

    private static string AmountText(Domain.Vouchers.Voucher voucher)
    {
        var field = voucher.Header.FirstOrDefault(f => f.Name.EndsWith("Amt", StringComparison.Ordinal));
        return field is not null && Amount.TryParseWire(field.Value, out var amount)
            ? $"{amount.ToWire()}（人民币{amount.ToChineseCapitals()}）"
            : "（无金额）";
    }

    private static bool TryBase64(string? text, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(text) || text.Length > RequestBytesMax)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static IResult TokenRefused(TokenError error, string message, int? remaining) =>
        Refused(AgentRejection.TokenRefused, error switch
        {
            TokenError.PinIncorrect => $"PIN 码错误{(remaining is { } left ? $"，还可尝试 {left} 次" : string.Empty)}",
            TokenError.PinLocked => "PIN 码已锁定，请联系系统管理员解锁",
            TokenError.PinInvalid => "PIN 码长度不对",
            TokenError.KeyNotFound => "本机没有插入该用户的 USBKey",
            _ => $"USBKey 拒绝：{message}",
        }, StatusCodes.Status403Forbidden);

    private static IResult Refused(AgentRejection rejection, string title, int status = StatusCodes.Status400BadRequest) =>
        Results.Problem(title: title, statusCode: status, extensions: new Dictionary<string, object?>
        {
            ["code"] = rejection.ToString(),
            ["codeNumber"] = (int)rejection,
        });
}

/// <summary>The desk origins (scheme, host and port) a support control answers; others are refused. Safe to add to while it runs.</summary>
public sealed class AgentOrigins
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _origins = new(StringComparer.OrdinalIgnoreCase);

    public AgentOrigins(IEnumerable<string>? origins = null)
    {
        foreach (var origin in origins ?? [])
        {
            Add(origin);
        }
    }

    /// <summary>Adds a desk's origin; a URL with a path is reduced to its origin.</summary>
    public void Add(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        _origins[Uri.TryCreate(origin, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : origin.TrimEnd('/')] = 0;
    }

    public bool Contains(string origin) => origin.Length > 0 && _origins.ContainsKey(origin);

    public IReadOnlyList<string> All => [.. _origins.Keys.Order(StringComparer.Ordinal)];
}
