using System.Diagnostics;
using System.Text.Json;
using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.People;
using Xunit.Abstractions;
using static OpenTreasury.Node.People.NodeAction;

namespace OpenTreasury.Server.Tests;

/// <summary>
/// The authorization matrix over HTTP: every operation of a node's interface (as its OpenAPI document
/// lists them) × every person of the demo at their own node (each post, unit people of every unit) ×
/// the voucher's division (the person's unit, another unit, no unit, no such voucher) is refused with
/// 403 and the right code exactly where the table below says so, and reaches the action everywhere
/// else. The expected table is written out here, not asked of <see cref="Authorization"/>, and checked
/// against <see cref="Authorization.Rows"/> in one assertion, so neither can drift silently.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixNetwork net, ITestOutputHelper output) : IClassFixture<AuthorizationMatrixNetwork>
{
    private const string NoReason = """{"reason":""}""";

    /// <summary>The expected table: Y where the post at that kind of party may do the action, - where not.</summary>
    private static readonly (PartyKind Kind, string Post, string Grid)[] s_grid =
    [
        //                                     Read Export Print SignFor Refuse Return Void Administer Reprint Messages Enter Approve
        (PartyKind.Finance, "国库股录入",      "Y    Y      Y     Y       Y      Y      -    -          -       -        Y     -"),
        (PartyKind.Finance, "国库股审核",      "Y    Y      Y     Y       Y      Y      Y    -          Y       Y        -     Y"),
        (PartyKind.Finance, "单位经办人",      "Y    Y      Y     -       -      -      -    -          -       -        Y     -"),
        (PartyKind.Finance, "单位财务负责人",  "Y    Y      Y     -       -      -      Y    -          -       -        Y     Y"),
        (PartyKind.Finance, "系统管理员",      "-    -      -     -       -      -      -    Y          -       -        -     -"),
        (PartyKind.Pboc, "记账员",             "Y    Y      Y     Y       Y      Y      -    -          -       -        Y     -"),
        (PartyKind.Pboc, "复核员",             "Y    Y      Y     Y       Y      Y      Y    -          Y       Y        -     Y"),
        (PartyKind.Pboc, "系统管理员",         "-    -      -     -       -      -      -    Y          -       -        -     -"),
        (PartyKind.Bank, "经办",               "Y    Y      Y     Y       Y      Y      -    -          -       -        Y     -"),
        (PartyKind.Bank, "复核",               "Y    Y      Y     Y       Y      Y      Y    -          Y       Y        -     Y"),
        (PartyKind.Bank, "单位自助柜面",       "Y    Y      Y     -       -      -      -    -          -       -        -     -"),
        (PartyKind.Bank, "系统管理员",         "-    -      -     -       -      -      -    Y          -       -        -     -"),
    ];

    private static readonly NodeAction[] s_columns = [ReadVouchers, ExportVoucher, PrintVoucher, SignFor, Refuse, Return, NodeAction.Void, Administer, ReprintVoucher, ManageMessages, EnterVoucher, ApproveVoucher];

    private static readonly Dictionary<(PartyKind Kind, string Post, NodeAction Action), bool> s_expected = Expand();

    /// <summary>Every operation the matrix calls, with the action the table decides it by.</summary>
    private static readonly Operation[] s_operations =
    [
        new("GET", "/vouchers/own", ReadVouchers, OneVoucher: false, Body: null),
        new("GET", "/vouchers/received", ReadVouchers, OneVoucher: false, Body: null),
        new("GET", "/vouchers/search", ReadVouchers, OneVoucher: false, Body: null),
        new("GET", "/vouchers/{id}", ReadVouchers, OneVoucher: true, Body: null),
        new("GET", "/vouchers/{id}/stamp-positions", ReadVouchers, OneVoucher: true, Body: null),
        new("GET", "/vouchers/{id}/mof", ExportVoucher, OneVoucher: true, Body: null),
        new("GET", "/vouchers/{id}/pdf", PrintVoucher, OneVoucher: true, Body: null),
        new("POST", "/vouchers/{id}/sign-for", SignFor, OneVoucher: true, Body: null),
        new("POST", "/vouchers/{id}/refuse", Refuse, OneVoucher: true, Body: NoReason),
        new("POST", "/vouchers/{id}/return", Return, OneVoucher: true, Body: NoReason),
        new("POST", "/vouchers/{id}/void", NodeAction.Void, OneVoucher: true, Body: NoReason),
        new("GET", "/people", Administer, OneVoucher: false, Body: null),
        new("POST", "/people/{userId}/lock", Administer, OneVoucher: false, Body: NoReason),
        new("GET", "/messages", ManageMessages, OneVoucher: false, Body: null),
        new("POST", "/messages/{id}/retry", ManageMessages, OneVoucher: false, Body: null),
        new("POST", "/messages/{id}/discard", ManageMessages, OneVoucher: false, Body: NoReason),
    ];

    /// <summary>Paths of the document the matrix does not call, each with why.</summary>
    private static readonly (string Prefix, string Reason)[] s_excluded =
    [
        ("/health", "needs no login: whether the node is up, and whose it is"),
        ("/openapi", "the document itself, no login"),
        ("/auth/", "login machinery: challenge and login come before any session, me and logout concern only the session itself, no action of the table"),
        ("/node/", "machine endpoints between nodes (inbox, certificate), authenticated by the sending node's signature, not by a person's session"),
    ];

    private enum Division
    {
        PersonsUnit,  // the person's unit's voucher (for people of no unit: some unit's voucher)
        AnotherUnit,  // a voucher of another unit
        NoUnit,       // a voucher of no unit (5105, 5106)
        NoSuchVoucher,
    }

    [Fact]
    public void The_expected_table_here_is_the_products_authorization_table()
    {
        Assert.Equal(
            s_expected.Where(e => e.Value).Select(e => Cell(e.Key)).Order(StringComparer.Ordinal),
            Authorization.Rows.SelectMany(r => r.Actions.Select(a => Cell((r.Kind, r.Post, a)))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_demo_has_a_person_for_every_row_of_the_table_and_unit_people_of_more_than_one_unit()
    {
        var rows = s_grid.Select(r => (r.Kind, r.Post)).ToHashSet();
        var staffed = net.People.Select(p => (p.Party.Kind, p.Post)).ToHashSet();

        Assert.Empty(rows.Except(staffed));
        Assert.Empty(staffed.Except(rows));
        Assert.All(s_grid.Select(r => r.Kind).Distinct(), kind => Assert.Contains(net.Clients.Keys, p => p.Kind == kind));
        Assert.True(net.People.Where(p => p.AgencyCode is not null).Select(p => p.AgencyCode).Distinct().Count() >= 2);
    }

    [Fact]
    public async Task The_matrix_covers_exactly_the_operations_every_nodes_openapi_document_lists()
    {
        var covered = s_operations.Select(o => $"{o.Method} {o.Path}").Order(StringComparer.Ordinal).ToList();
        foreach (var (party, client) in net.Clients)
        {
            using var response = await client.GetAsync("openapi/v1.json");
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var listed = new List<string>();
            foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
            {
                if (s_excluded.Any(e => path.Name.StartsWith(e.Prefix, StringComparison.Ordinal)))
                {
                    continue;
                }

                listed.AddRange(path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete").Select(m => $"{m.Name.ToUpperInvariant()} {path.Name}"));
            }

            Assert.True(covered.SequenceEqual(listed.Order(StringComparer.Ordinal)),
                $"{party}: the document lists [{string.Join(", ", listed.Order(StringComparer.Ordinal))}], the matrix covers [{string.Join(", ", covered)}]");
        }
    }

    [Fact]
    public async Task Every_person_at_their_own_node_is_refused_exactly_where_the_table_says_and_reaches_the_action_elsewhere()
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var cells = 0;
        var refusals = net.Clients.Keys.ToDictionary(p => p, _ => 0L);
        var auditedBefore = net.Clients.Keys.ToDictionary(p => p, RefusalsAudited);
        foreach (var person in net.People)
        {
            var subjects = Subjects(person);
            foreach (var operation in s_operations)
            {
                var divisions = operation.OneVoucher ? Enum.GetValues<Division>().Where(subjects.ContainsKey) : [Division.NoUnit];
                foreach (var division in divisions)
                {
                    cells++;
                    var expected = Expect(person, operation, division, operation.OneVoucher ? subjects[division] : 0);
                    var refused = expected is Expected.PostMayNot or Expected.OtherUnit or Expected.ReprintNotAllowed ? 1 : 0;
                    refusals[person.Party] += refused;
                    var path = PathOf(operation, person, operation.OneVoucher ? subjects[division] : 0);
                    using var response = await net.SendAsync(person.Party, person.Token, new HttpMethod(operation.Method), path, operation.Body);
                    var got = await OutcomeAsync(response);
                    var where = operation.OneVoucher ? $" ({division})" : string.Empty;
                    if (!Meets(expected, got))
                    {
                        failures.Add($"{person} {operation.Method} {path}{where}: expected {expected}, got {got}");
                    }
                    else if (expected == Expected.Reached && !operation.OneVoucher && operation.Action == ReadVouchers)
                    {
                        failures.AddRange(CheckListScope(person, operation, await Json.ReadAsync(response)));
                    }

                    if (operation.Body is not null)
                    {
                        // The table is asked before the body is: without one, the same refusal (and an allowed person's 400 a problem, not a bare status).
                        cells++;
                        refusals[person.Party] += refused;
                        using var bare = await net.SendAsync(person.Party, person.Token, new HttpMethod(operation.Method), path, jsonBody: null);
                        var gotBare = await OutcomeAsync(bare);
                        if (!Meets(expected, gotBare) || gotBare.Code is null)
                        {
                            failures.Add($"{person} {operation.Method} {path}{where} without a body: expected {expected}, got {gotBare}");
                        }
                    }
                }
            }
        }

        // Every refusal is written to the node's audit chain (refused-<action>), and nothing else is.
        failures.AddRange(net.Clients.Keys.Where(p => RefusalsAudited(p) - auditedBefore[p] != refusals[p])
            .Select(p => $"{p}: {RefusalsAudited(p) - auditedBefore[p]} refusals audited, {refusals[p]} refused"));
        output.WriteLine($"{cells} cells ({net.People.Count} people × {s_operations.Length} operations, voucher operations × the divisions their node holds, calls with a body also without), {refusals.Values.Sum()} refused and audited, in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cells} cells disagree with the table:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public async Task A_person_logged_in_at_one_node_is_not_logged_in_at_any_other()
    {
        var failures = new List<string>();
        var cells = 0;
        foreach (var person in net.People)
        {
            foreach (var other in net.Clients.Keys.Where(p => p != person.Party))
            {
                var voucher = AnyVoucher(other);
                foreach (var operation in s_operations)
                {
                    cells++;
                    var path = PathOf(operation, person, voucher);
                    using var response = await net.SendAsync(other, person.Token, new HttpMethod(operation.Method), path, operation.Body);
                    var got = await OutcomeAsync(response);
                    if (got is not ((401, "NotLoggedIn") or (403, "OtherParty")))
                    {
                        failures.Add($"{person} at {other}: {operation.Method} {path}: expected 401 NotLoggedIn or 403 OtherParty, got {got}");
                    }
                }
            }
        }

        output.WriteLine($"{cells} cross-node cells");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Without_a_session_every_operation_at_every_node_is_refused_as_not_logged_in()
    {
        var failures = new List<string>();
        foreach (var party in net.Clients.Keys)
        {
            var voucher = AnyVoucher(party);
            foreach (var operation in s_operations)
            {
                // With and without the request's body: the session is asked before the body is.
                foreach (var (token, body) in new[] { (null, operation.Body), ("not-a-session-token", operation.Body), (null, null), ("not-a-session-token", (string?)null) }.Distinct())
                {
                    var path = PathOf(operation, null, voucher);
                    using var response = await net.SendAsync(party, token, new HttpMethod(operation.Method), path, body);
                    var got = await OutcomeAsync(response);
                    if (got is not (401, "NotLoggedIn"))
                    {
                        failures.Add($"{party} {operation.Method} {path} with token {token ?? "(none)"}, body {body ?? "(none)"}: expected 401 NotLoggedIn, got {got}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static Dictionary<(PartyKind, string, NodeAction), bool> Expand()
    {
        var expected = new Dictionary<(PartyKind, string, NodeAction), bool>();
        foreach (var (kind, post, grid) in s_grid)
        {
            var marks = grid.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(s_columns.Length, marks.Length);
            for (var i = 0; i < s_columns.Length; i++)
            {
                expected.Add((kind, post, s_columns[i]), marks[i] switch
                {
                    "Y" => true,
                    "-" => false,
                    _ => throw new InvalidOperationException($"{kind} {post}: mark {marks[i]} is neither Y nor -"),
                });
            }
        }

        return expected;
    }

    private static string Cell((PartyKind Kind, string Post, NodeAction Action) cell) => $"{cell.Kind} {cell.Post} {cell.Action}";

    private Expected Expect(MatrixPerson person, Operation operation, Division division, long voucher)
    {
        if (!s_expected.GetValueOrDefault((person.Party.Kind, person.Post, operation.Action)))
        {
            return Expected.PostMayNot;
        }

        if (operation.OneVoucher && division == Division.NoSuchVoucher)
        {
            return Expected.NotFound;
        }

        // A unit's person acts only on their own unit's vouchers: another unit's and no unit's are OtherUnit.
        if (operation.OneVoucher && person.AgencyCode is not null && division is Division.AnotherUnit or Division.NoUnit)
        {
            return Expected.OtherUnit;
        }

        // A voucher printed before is printed again (重打) only by a post that may reprint.
        return operation.Action == PrintVoucher && net.Network.Nodes[person.Party].Library.PrintCount(voucher) > 0
            && !s_expected.GetValueOrDefault((person.Party.Kind, person.Post, ReprintVoucher))
            ? Expected.ReprintNotAllowed
            : Expected.Reached;
    }

    private static bool Meets(Expected expected, Outcome got) => expected switch
    {
        Expected.PostMayNot => got is (403, "PostMayNot") && got.Family == "authorization",
        Expected.OtherUnit => got is (403, "OtherUnit") && got.Family == "authorization",
        Expected.ReprintNotAllowed => got is (403, "ReprintNotAllowed") && got.Family == "authorization",
        Expected.NotFound => got is (404, "NotFound"),
        // Past authorization: the action answers (200, 204) or fails on the voucher's state or the request (400, 404, 409, 422), never 401/403 nor 5xx.
        _ => got.Status is not (401 or 403) && got.Status < 500 && got.Family != "authorization",
    };

    /// <summary>
    /// The vouchers of each division at the person's node, by id; a division the node holds no voucher of
    /// is left out (PBOC's 5106 and 5108 name no unit), but a unit's person always gets all four.
    /// </summary>
    private Dictionary<Division, long> Subjects(MatrixPerson person)
    {
        var vouchers = net.Network.Nodes[person.Party].Library.List();
        var unit = person.AgencyCode ?? vouchers.FirstOrDefault(v => v.AgencyCode is not null)?.AgencyCode;
        var subjects = new Dictionary<Division, long> { [Division.NoSuchVoucher] = vouchers.Max(v => v.Id) + 1000 };
        Add(Division.PersonsUnit, vouchers.FirstOrDefault(v => unit is not null && v.AgencyCode == unit));
        Add(Division.AnotherUnit, vouchers.FirstOrDefault(v => v.AgencyCode is not null && v.AgencyCode != unit));
        Add(Division.NoUnit, vouchers.FirstOrDefault(v => v.AgencyCode is null));
        Assert.True(person.AgencyCode is null || subjects.Count == 4, $"{person}: the node holds no voucher of some division");
        return subjects;

        void Add(Division division, Node.Library.StoredVoucher? voucher)
        {
            if (voucher is not null)
            {
                subjects[division] = voucher.Id;
            }
        }
    }

    private long RefusalsAudited(PartyId party)
    {
        using var connection = net.Network.Nodes[party].Library.Database.Connect();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE operation LIKE 'refused-%'");
    }

    private long AnyVoucher(PartyId party) => net.Network.Nodes[party].Library.List()[0].Id;

    private static string PathOf(Operation operation, MatrixPerson? person, long voucher) =>
        operation.Path.Replace("{id}", voucher.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{userId}", person?.UserId ?? "cz_lr", StringComparison.Ordinal);

    /// <summary>A list allowed to a unit's person holds exactly their unit's vouchers; to anyone else, all of them.</summary>
    private IEnumerable<string> CheckListScope(MatrixPerson person, Operation operation, JsonElement page)
    {
        // The search (no filters) finds both origins, its first page of at most 100.
        string? origin = operation.Path switch { "/vouchers/own" => "own", "/vouchers/received" => "received", _ => null };
        var listed = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).Order().ToList();
        var expected = net.Network.Nodes[person.Party].Library.List()
            .Where(v => (origin is null || v.Origin == origin) && (person.AgencyCode is null || v.AgencyCode == person.AgencyCode)).Select(v => v.Id).Order()
            .Take(origin is null ? Domain.Limits.SearchPageSizeMax : int.MaxValue).ToList();
        if (!listed.SequenceEqual(expected))
        {
            yield return $"{person} GET {operation.Path}: listed [{string.Join(",", listed)}], expected [{string.Join(",", expected)}]";
        }
    }

    private static async Task<Outcome> OutcomeAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return new Outcome(status, null, null);
        }

        var problem = await Json.ReadAsync(response);
        var code = problem.TryGetProperty("code", out var c) ? c.GetString() : null;
        var type = problem.TryGetProperty("type", out var t) ? t.GetString() ?? string.Empty : string.Empty;
        var family = type.StartsWith(Problems.TypePrefix, StringComparison.Ordinal) ? type[Problems.TypePrefix.Length..].Split(':')[0] : null;
        if (code is not null && problem.TryGetProperty("codeNumber", out var number) && code != "InternalError")
        {
            // The code's number must be its enum's: checked for the authorization codes the matrix asserts.
            if (family == "authorization" && (int)Enum.Parse<AuthorizationRejection>(code) != number.GetInt32())
            {
                return new Outcome(status, $"{code}≠{number.GetInt32()}", family);
            }
        }

        return new Outcome(status, code, family);
    }

    private enum Expected
    {
        Reached,
        PostMayNot,
        OtherUnit,
        ReprintNotAllowed,
        NotFound,
    }

    private sealed record Operation(string Method, string Path, NodeAction Action, bool OneVoucher, string? Body);

    private sealed record Outcome(int Status, string? Code, string? Family)
    {
        public void Deconstruct(out int status, out string? code) => (status, code) = (Status, Code);

        public override string ToString() => Code is null ? Status.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Status} {Code}";
    }
}
