using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using OpenTreasury.Node.People;
using OpenTreasury.Server.Auth;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Server.Tests;

/// <summary>The node's HTTP interface on real Kestrel hosts (Finance, bank 102) over a real network.</summary>
public sealed class NodeHttpTests : IAsyncLifetime
{
    private ServedNetwork _net = null!;

    public async Task InitializeAsync() => _net = await ServedNetwork.StartAsync();

    public async Task DisposeAsync() => await _net.DisposeAsync();

    [Fact]
    public async Task Health_answers_with_the_party_and_its_organisation()
    {
        using var response = await _net.Finance.GetAsync("health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Equal("finance", body.GetProperty("party").GetString());
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("organisation").GetString()));
    }

    [Fact]
    public async Task The_openapi_document_is_openapi_3_and_lists_every_library_operation_with_a_summary()
    {
        using var response = await _net.Finance.GetAsync("openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"openapi\": \"3.", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        var paths = document.RootElement.GetProperty("paths");
        string[] expected =
        [
            "/health", "/auth/challenge", "/auth/login", "/auth/logout", "/vouchers/own", "/vouchers/received", "/vouchers/{id}",
            "/vouchers/{id}/mof", "/vouchers/{id}/pdf", "/vouchers/{id}/stamp-positions", "/vouchers/{id}/sign-for",
            "/vouchers/{id}/refuse", "/vouchers/{id}/return", "/vouchers/{id}/void", "/people", "/people/{userId}/lock",
        ];
        Assert.All(expected, path => Assert.True(paths.TryGetProperty(path, out _), $"{path} is not in the document"));
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), $"{operation.Name} {path.Name} has no summary");
            }
        }

        using var reference = await _net.Finance.GetAsync("scalar/v1");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
    }

    [Fact]
    public async Task Without_a_token_every_library_call_is_refused_as_not_logged_in()
    {
        using var response = await _net.Finance.GetAsync("vouchers/own");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "NotLoggedIn", 1);
    }

    [Fact]
    public async Task A_login_signed_with_another_persons_usbkey_is_refused_as_a_bad_signature()
    {
        var challenge = await ChallengeAsync(_net.Finance, ServedNetwork.UnitClerk);
        var otherKey = _net.Token(_net.Network.Finance, ServedNetwork.OtherUnitClerk);
        var signature = otherKey.SignMessage(LoginMessage.For(Domain.Parties.PartyId.Finance, ServedNetwork.UnitClerk, challenge), Sm2.DefaultUserId).ValueOrThrow();

        using var response = await LoginAsync(_net.Finance, ServedNetwork.UnitClerk, challenge, signature);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "BadSignature", 6);
        Assert.Equal(1, AuditCount(_net.Network.Finance, "login-refused", ServedNetwork.UnitClerk));
    }

    [Fact]
    public async Task A_challenge_is_used_once_and_a_replayed_login_is_refused()
    {
        var challenge = await ChallengeAsync(_net.Finance, ServedNetwork.UnitClerk);
        var key = _net.Token(_net.Network.Finance, ServedNetwork.UnitClerk);
        var signature = key.SignMessage(LoginMessage.For(Domain.Parties.PartyId.Finance, ServedNetwork.UnitClerk, challenge), Sm2.DefaultUserId).ValueOrThrow();

        using var first = await LoginAsync(_net.Finance, ServedNetwork.UnitClerk, challenge, signature);
        using var replay = await LoginAsync(_net.Finance, ServedNetwork.UnitClerk, challenge, signature);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(string.IsNullOrEmpty((await Json.ReadAsync(first)).GetProperty("token").GetString()));
        await AssertProblemAsync(replay, HttpStatusCode.Unauthorized, "UnknownChallenge", 2);
    }

    [Fact]
    public async Task A_challenge_answered_too_late_is_refused_as_expired()
    {
        var challenge = await ChallengeAsync(_net.Finance, ServedNetwork.UnitClerk);
        var key = _net.Token(_net.Network.Finance, ServedNetwork.UnitClerk);
        var signature = key.SignMessage(LoginMessage.For(Domain.Parties.PartyId.Finance, ServedNetwork.UnitClerk, challenge), Sm2.DefaultUserId).ValueOrThrow();
        _net.Clock.Advance(ServerLimits.ChallengeValidity + TimeSpan.FromSeconds(1));

        using var response = await LoginAsync(_net.Finance, ServedNetwork.UnitClerk, challenge, signature);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "ChallengeExpired", 3);
    }

    [Fact]
    public async Task A_locked_user_cannot_log_in_even_with_their_own_usbkey()
    {
        Assert.True(_net.Network.Finance.Users.Lock(ServedNetwork.UnitClerk, "离岗").Ok);
        using var client = new HttpClient { BaseAddress = _net.Finance.BaseAddress };

        var outcome = await LoginClient.LoginAsync(client, ServedNetwork.UnitClerk, _net.Token(_net.Network.Finance, ServedNetwork.UnitClerk));

        Assert.False(outcome.Ok);
        Assert.Equal((403, "UserLocked"), (outcome.Status, outcome.Code));
        Assert.Equal("用户已被管理员锁定", outcome.Title);
    }

    [Fact]
    public async Task A_person_whose_certificate_was_revoked_cannot_log_in()
    {
        var serial = new Org.BouncyCastle.Math.BigInteger(_net.Network.Finance.Users.Find(ServedNetwork.UnitClerk)!.CertSerial, 16);
        _net.Network.Authority.Revoke(serial, Trust.Pki.RevocationReason.KeyCompromise, _net.Network.PublicDirectory);
        using var client = new HttpClient { BaseAddress = _net.Finance.BaseAddress };

        var outcome = await LoginClient.LoginAsync(client, ServedNetwork.UnitClerk, _net.Token(_net.Network.Finance, ServedNetwork.UnitClerk));

        Assert.Equal((401, "CertificateInvalid"), (outcome.Status, outcome.Code));
    }

    [Fact]
    public async Task A_unit_clerk_reads_their_units_payments_and_is_refused_another_units_as_other_unit()
    {
        using var clerk = await _net.LoginAsync(_net.Finance, _net.Network.Finance, ServedNetwork.UnitClerk);

        using var list = await clerk.GetAsync("vouchers/own?vt=8202");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var items = (await Json.ReadAsync(list)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["ZF-A-1", "ZF-A-2"], items.Select(i => i.GetProperty("voucherNo").GetString()));
        Assert.All(items, i => Assert.Equal("101001", i.GetProperty("agencyCode").GetString()));

        var own = items[0].GetProperty("id").GetInt64();
        using var shown = await clerk.GetAsync($"vouchers/{own}");
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var detail = await Json.ReadAsync(shown);
        Assert.Equal("1234.50", detail.GetProperty("voucher").GetProperty("amount").GetString());
        Assert.Contains(detail.GetProperty("stamps").EnumerateArray(), s => s.GetProperty("position").GetString() == "dw_jbrsz" && s.GetProperty("signer").GetString() == ServedNetwork.UnitClerk);
        Assert.Equal("bank-102", detail.GetProperty("deliveries")[0].GetProperty("receiver").GetString());

        var other = _net.Network.Finance.Library.Versions("8202", "ZF-B-1").Single().Id;
        using var refused = await clerk.GetAsync($"vouchers/{other}");
        await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "OtherUnit", 4);
        Assert.Equal(1, AuditCount(_net.Network.Finance, "refused-ReadVouchers", ServedNetwork.UnitClerk));

        using var signFor = await clerk.PostAsync($"vouchers/{own}/sign-for", null);
        await AssertProblemAsync(signFor, HttpStatusCode.Forbidden, "PostMayNot", 3);
    }

    [Fact]
    public async Task A_bank_operator_is_no_user_at_finance_and_at_their_bank_reads_and_answers_its_received_payments()
    {
        using var atFinance = new HttpClient { BaseAddress = _net.Finance.BaseAddress };
        var refused = await LoginClient.LoginAsync(atFinance, ServedNetwork.BankClerk, _net.Token(_net.Network.Bank("102"), ServedNetwork.BankClerk));
        Assert.Equal((401, "UnknownUser"), (refused.Status, refused.Code));

        using var operator102 = await _net.LoginAsync(_net.Bank102, _net.Network.Bank("102"), ServedNetwork.BankClerk);
        using var list = await operator102.GetAsync("vouchers/received?vt=8202&state=received&from=20260301&to=20260331");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var items = (await Json.ReadAsync(list)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.Equal("finance", i.GetProperty("sender").GetString()));

        var first = items[0].GetProperty("id").GetInt64();
        using var noReason = await operator102.PostAsJsonAsync($"vouchers/{first}/return", new { reason = "" });
        await AssertProblemAsync(noReason, HttpStatusCode.BadRequest, "ReasonRequired", 9);
        using var returned = await operator102.PostAsJsonAsync($"vouchers/{first}/return", new { reason = "收款人账号有误" });
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);
        Assert.Equal("returned", (await Json.ReadAsync(returned)).GetProperty("state").GetString());
        using var again = await operator102.PostAsync($"vouchers/{first}/sign-for", null);
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "IllegalTransition", 6);

        var second = items[1].GetProperty("id").GetInt64();
        using var signed = await operator102.PostAsync($"vouchers/{second}/sign-for", null);
        Assert.Equal("signed_for", (await Json.ReadAsync(signed)).GetProperty("state").GetString());

        using var waiting = await operator102.GetAsync("vouchers/received?vt=8202&state=received");
        Assert.Single((await Json.ReadAsync(waiting)).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_voucher_exports_as_its_mof_file_and_prints_to_pdf_with_every_print_counted()
    {
        using var clerk = await _net.LoginAsync(_net.Finance, _net.Network.Finance, ServedNetwork.UnitClerk);
        var id = _net.Network.Finance.Library.Versions("8202", "ZF-A-1").Single().Id;

        using var mof = await clerk.GetAsync($"vouchers/{id}/mof");
        Assert.Equal(HttpStatusCode.OK, mof.StatusCode);
        Assert.Equal(_net.Network.Finance.Library.Export(id), await mof.Content.ReadAsByteArrayAsync());

        using var first = await clerk.GetAsync($"vouchers/{id}/pdf");
        using var again = await clerk.GetAsync($"vouchers/{id}/pdf");
        using var checker = await _net.LoginAsync(_net.Finance, _net.Network.Finance, "cz_sh"); // 国库股审核 may reprint
        using var second = await checker.GetAsync($"vouchers/{id}/pdf");
        Assert.Equal("application/pdf", first.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(await first.Content.ReadAsByteArrayAsync(), 0, 4), StringComparison.Ordinal);
        Assert.Equal(["1"], first.Headers.GetValues("X-Print-Count"));
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode); // a unit's clerk may print once, not reprint
        Assert.Equal("ReprintNotAllowed", (await Json.ReadAsync(again)).GetProperty("code").GetString());
        Assert.Equal(["2"], second.Headers.GetValues("X-Print-Count"));
        Assert.Equal(2, _net.Network.Finance.Library.PrintCount(id));

        using var positions = await clerk.GetAsync($"vouchers/{id}/stamp-positions");
        var rows = (await Json.ReadAsync(positions)).EnumerateArray().ToList();
        Assert.Contains(rows, p => p.GetProperty("name").GetString() == "dw_cwzyz" && p.GetProperty("stamped").GetBoolean());
    }

    [Fact]
    public async Task A_session_idle_past_its_limit_is_refused_as_expired_and_a_logged_out_one_as_not_logged_in()
    {
        using var clerk = await _net.LoginAsync(_net.Finance, _net.Network.Finance, ServedNetwork.UnitClerk);
        using var fresh = await clerk.GetAsync("auth/me");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        _net.Clock.Advance(ServerLimits.SessionIdleMax + TimeSpan.FromSeconds(1));
        using var expired = await clerk.GetAsync("vouchers/own");
        await AssertProblemAsync(expired, HttpStatusCode.Unauthorized, "SessionExpired", 2);

        using var other = await _net.LoginAsync(_net.Finance, _net.Network.Finance, ServedNetwork.OtherUnitClerk);
        using var logout = await other.PostAsync("auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var after = await other.GetAsync("vouchers/own");
        await AssertProblemAsync(after, HttpStatusCode.Unauthorized, "NotLoggedIn", 1);
    }

    [Fact]
    public async Task A_busy_session_still_ends_at_its_absolute_lifetime()
    {
        using var clerk = await _net.LoginAsync(_net.Finance, _net.Network.Finance, ServedNetwork.UnitClerk);
        var step = ServerLimits.SessionIdleMax - TimeSpan.FromMinutes(1);
        var elapsed = TimeSpan.Zero;
        while (elapsed + step < ServerLimits.SessionLifetimeMax)
        {
            _net.Clock.Advance(step);
            elapsed += step;
            using var alive = await clerk.GetAsync("auth/me");
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        _net.Clock.Advance(ServerLimits.SessionLifetimeMax - elapsed);
        using var ended = await clerk.GetAsync("auth/me");
        await AssertProblemAsync(ended, HttpStatusCode.Unauthorized, "SessionExpired", 2);
    }

    [Fact]
    public async Task Only_an_administrator_lists_and_locks_people_and_a_lock_ends_the_persons_sessions()
    {
        var finance = _net.Network.Finance;
        Assert.True(_net.Network.AddUser(finance, "cz_admin", "钱敏", Node.People.Authorization.Administrator, null, null, ServedNetwork.Pin, "admin-8888").Ok);
        using var admin = await _net.LoginAsync(_net.Finance, finance, "cz_admin");
        using var clerk = await _net.LoginAsync(_net.Finance, finance, ServedNetwork.UnitClerk);

        using var people = await admin.GetAsync("people");
        Assert.Equal(HttpStatusCode.OK, people.StatusCode);
        Assert.Contains((await Json.ReadAsync(people)).EnumerateArray(), p => p.GetProperty("userId").GetString() == ServedNetwork.UnitClerk);
        using var adminReads = await admin.GetAsync("vouchers/own");
        await AssertProblemAsync(adminReads, HttpStatusCode.Forbidden, "PostMayNot", 3);
        using var clerkAdministers = await clerk.GetAsync("people");
        await AssertProblemAsync(clerkAdministers, HttpStatusCode.Forbidden, "PostMayNot", 3);

        using var locked = await admin.PostAsJsonAsync($"people/{ServedNetwork.UnitClerk}/lock", new { reason = "USBKey 遗失" });
        Assert.Equal(HttpStatusCode.NoContent, locked.StatusCode);
        using var afterLock = await clerk.GetAsync("vouchers/own");
        await AssertProblemAsync(afterLock, HttpStatusCode.Unauthorized, "NotLoggedIn", 1);
        Assert.Equal(1, finance.Users.Find(ServedNetwork.UnitClerk)!.Locked);
    }

    [Fact]
    public async Task The_nodes_worker_lets_its_desk_handle_what_arrived()
    {
        var bank = _net.Network.Bank("102");
        Assert.Equal(3, bank.Library.ReadReceived("8202").Count);

        using var served = await _net.ServeWithWorkerAsync(bank);
        var finance = _net.Network.Finance.Library;
        bool FinanceSeesThemReturned() => finance.List("8202").All(v => finance.Deliveries(v.Id).Single().Status == Domain.Vouchers.VoucherStatus.Returned);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!FinanceSeesThemReturned() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        // No quota was issued, so the bank's desk returns every payment (退回); its worker carries the notices to Finance.
        Assert.Empty(bank.Library.ReadReceived("8202"));
        Assert.All(bank.Library.List("8202"), v => Assert.Equal("returned", v.State));
        Assert.True(FinanceSeesThemReturned());
    }

    private static async Task<string> ChallengeAsync(HttpClient node, string userId)
    {
        using var response = await node.PostAsJsonAsync("auth/challenge", new { userId });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var challenge = (await Json.ReadAsync(response)).GetProperty("challenge").GetString()!;
        Assert.Equal(LoginMessage.ChallengeBytes, Convert.FromBase64String(challenge).Length);
        return challenge;
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient node, string userId, string challenge, byte[] signature) =>
        node.PostAsJsonAsync("auth/login", new { userId, challenge, signature = Convert.ToBase64String(signature) });

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, int codeNumber)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json.ReadAsync(response);
        Assert.Equal((code, codeNumber), (problem.GetProperty("code").GetString(), problem.GetProperty("codeNumber").GetInt32()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
    }

    private static long AuditCount(Business.TreasuryNode node, string operation, string actor)
    {
        using var connection = node.Library.Database.Connect();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE operation = @operation AND actor = @actor", new { operation, actor });
    }
}
