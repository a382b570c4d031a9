using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.People;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Server.Auth;

/// <summary>The outcome of a login: the session, or the problem the node answered with.</summary>
public sealed record LoginOutcome(LoginResponse? Session, int Status, string? Code, string? Title)
{
    public bool Ok => Session is not null;
}

/// <summary>
/// The client's half of the login, for the CLI, the support control and tests: asks the node for a
/// challenge, signs the login message with the person's USBKey (opened with their PIN by the caller, on
/// the caller's machine), and sends the signature. The PIN and the key never leave the caller.
/// </summary>
public static class LoginClient
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static async Task<LoginOutcome> LoginAsync(HttpClient http, string userId, IUsbKeyContainer token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(token);
        using var asked = await http.PostAsJsonAsync("auth/challenge", new ChallengeRequest(userId), s_json, cancellationToken).ConfigureAwait(false);
        if (!asked.IsSuccessStatusCode)
        {
            return await ProblemAsync(asked, cancellationToken).ConfigureAwait(false);
        }

        var challenge = (await asked.Content.ReadFromJsonAsync<ChallengeResponse>(s_json, cancellationToken).ConfigureAwait(false))!;
        var signed = token.SignMessage(LoginMessage.For(PartyId.Parse(challenge.Party), userId, challenge.Challenge), Sm2.DefaultUserId);
        if (!signed.Succeeded)
        {
            return new LoginOutcome(null, 0, signed.Error.ToString(), signed.Message);
        }

        using var answered = await http.PostAsJsonAsync("auth/login", new LoginRequest(userId, challenge.Challenge, Convert.ToBase64String(signed.Value!)), s_json, cancellationToken).ConfigureAwait(false);
        if (!answered.IsSuccessStatusCode)
        {
            return await ProblemAsync(answered, cancellationToken).ConfigureAwait(false);
        }

        var session = (await answered.Content.ReadFromJsonAsync<LoginResponse>(s_json, cancellationToken).ConfigureAwait(false))!;
        return new LoginOutcome(session, (int)answered.StatusCode, null, null);
    }

    /// <summary>Sends the session's bearer token on every later request of <paramref name="http"/>.</summary>
    public static void UseSession(HttpClient http, LoginResponse session)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(session);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
    }

    private static async Task<LoginOutcome> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var root = problem.RootElement;
        return new LoginOutcome(null, (int)response.StatusCode,
            root.TryGetProperty("code", out var code) ? code.GetString() : null,
            root.TryGetProperty("title", out var title) ? title.GetString() : null);
    }
}
