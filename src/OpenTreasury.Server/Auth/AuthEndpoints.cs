using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTreasury.Node.People;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Server.Auth;

public sealed record ChallengeRequest(string UserId);

public sealed record ChallengeResponse(string Party, string UserId, string Challenge, DateTimeOffset ExpiresAt);

public sealed record LoginRequest(string UserId, string Challenge, string Signature);

public sealed record LoginResponse(string Token, string Party, string UserId, string Name, string Post, string? AgencyCode, DateTimeOffset ExpiresAt);

public sealed record WhoAmI(string Party, string UserId, string Name, string Post, string? AgencyCode, DateTimeOffset ExpiresAt, string? AdmDivCode);

/// <summary>
/// Login by challenge (登录): the node gives a random challenge; the person signs the
/// <see cref="LoginMessage"/> with their USBKey on their own machine; the node checks the signature
/// against the certificate it registered for them and opens a session.
/// </summary>
public static class AuthEndpoints
{
    public static void Map(IEndpointRouteBuilder app, NodeContext context)
    {
        var auth = app.MapGroup("/auth").WithTags("Auth 登录");

        auth.MapPost("/challenge", (ChallengeRequest request) =>
        {
            if (request is null || string.IsNullOrWhiteSpace(request.UserId) || request.UserId.Length > UserDirectory.UserIdLengthMax)
            {
                return Problems.Of(LoginRejection.InvalidInput, $"userId is 1–{UserDirectory.UserIdLengthMax} characters");
            }

            // A challenge is given for any user id; whether the person is a user here is decided at login, with the signature.
            return context.Sessions.IssueChallenge(request.UserId) is { } issued
                ? Results.Ok(new ChallengeResponse(context.Node.Party.ToString(), request.UserId, issued.Challenge, issued.ExpiresAt))
                : Problems.Of(LoginRejection.TooManyChallenges, $"{ServerLimits.ChallengesOpenMax} challenges are open");
        })
        .WithName("LoginChallenge")
        .WithSummary("Get a login challenge 获取登录挑战")
        .WithDescription($"A random {LoginMessage.ChallengeBytes}-byte challenge (base64), valid for {ServerLimits.ChallengeValidity.TotalMinutes} minutes and usable once. "
            + "Sign the UTF-8 bytes of `opentreasury-login\\n{party}\\n{userId}\\n{challenge}` with your USBKey (SM3withSM2, DER) and send it to POST /auth/login.")
        .Produces<ChallengeResponse>()
        .ProducesProblem(StatusCodes.Status400BadRequest);

        auth.MapPost("/login", (LoginRequest request) => Login(context, request))
        .WithName("Login")
        .WithSummary("Log in with a USBKey signature 证书登录")
        .WithDescription($"Opens a session: the bearer token is valid until {ServerLimits.SessionIdleMax.TotalMinutes} minutes without a request or {ServerLimits.SessionLifetimeMax.TotalHours} hours after login.")
        .Produces<LoginResponse>()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden);

        var session = auth.MapGroup(string.Empty).AddEndpointFilter(new SessionFilter(context));
        session.MapGet("/me", (HttpContext http) =>
        {
            var s = SessionFilter.SessionOf(http);
            return Results.Ok(new WhoAmI(s.Actor.Party.ToString(), s.Actor.UserId, s.Name, s.Actor.Post, s.Actor.AgencyCode, s.ExpiresAt, s.Actor.AdmDivCode));
        })
        .WithName("WhoAmI")
        .WithSummary("The person of this session 当前用户")
        .Produces<WhoAmI>()
        .ProducesProblem(StatusCodes.Status401Unauthorized);

        session.MapPost("/logout", (HttpContext http) =>
        {
            var s = SessionFilter.SessionOf(http);
            context.Sessions.Close(SessionFilter.TokenOf(http)!);
            context.Audit(s.Actor.UserId, "logout", s.Actor.UserId, string.Empty);
            return Results.NoContent();
        })
        .WithName("Logout")
        .WithSummary("End the session 退出登录")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static IResult Login(NodeContext context, LoginRequest request)
    {
        var (session, problem) = OpenSession(context, request);
        return session is not null ? Results.Ok(session) : problem!;
    }

    /// <summary>
    /// Checks a login (the challenge, the person's signature over it, their certificate) and opens a session:
    /// the session, or the problem to answer with. The API and the desks' login both come here.
    /// </summary>
    public static (LoginResponse? Session, IResult? Problem) OpenSession(NodeContext context, LoginRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (request is null || string.IsNullOrWhiteSpace(request.UserId) || string.IsNullOrWhiteSpace(request.Challenge) || string.IsNullOrWhiteSpace(request.Signature)
            || request.UserId.Length > UserDirectory.UserIdLengthMax || request.Signature.Length > ServerLimits.SignatureBytesMax * 2)
        {
            return (null, Problems.Of(LoginRejection.InvalidInput, "userId, challenge and signature (base64 DER) are required"));
        }

        var party = context.Node.Party;
        var rejection = context.Sessions.TakeChallenge(request.Challenge, request.UserId);
        var message = rejection == LoginRejection.None ? string.Empty : $"challenge: {rejection}";
        UserRecord? user = null;
        if (rejection == LoginRejection.None)
        {
            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(request.Signature);
            }
            catch (FormatException)
            {
                return (null, Refused(context, request.UserId, LoginRejection.InvalidInput, "the signature is not base64"));
            }

            (rejection, message, user) = LoginVerifier.Verify(context.Node.Users, context.Validator, party, request.UserId, request.Challenge, signature, context.Clock.GetUtcNow());
        }

        if (rejection != LoginRejection.None)
        {
            return (null, Refused(context, request.UserId, rejection, message));
        }

        var actor = new Actor(party, user!.Id, user.Role, user.AgencyCode, user.AdmDivCode);
        if (context.Sessions.Open(actor, user.Name) is not { } opened)
        {
            return (null, Refused(context, request.UserId, LoginRejection.TooManyChallenges, $"{ServerLimits.SessionsOpenMax} sessions are open"));
        }

        context.Audit(user.Id, "login", user.Id, $"USBKey signature; session until {opened.Session.ExpiresAt:O}");
        return (new LoginResponse(opened.Token, party.ToString(), user.Id, user.Name, user.Role, user.AgencyCode, opened.Session.ExpiresAt), null);
    }

    private static IResult Refused(NodeContext context, string userId, LoginRejection rejection, string message)
    {
        // Only known users are audited: a stranger's guesses must not grow the audit chain.
        if (context.Node.Users.Find(userId) is not null)
        {
            context.Audit(userId, "login-refused", userId, $"{rejection} ({(int)rejection}): {message}");
        }

        return Problems.Of(rejection, message);
    }
}
