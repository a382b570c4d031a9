using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;
using OpenTreasury.Simulation.Demo;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>
/// Many divisions on one set of nodes: one Finance serving 芒市 (533103), 瑞丽市 (533102) and 德宏州本级 (533100), one
/// PBOC, one node per bank. Each division's vouchers, numbers, treasury account, statements and reconciliation are its own.
/// </summary>
public sealed class DivisionTests : IDisposable
{
    private const string Mangshi = "533103";
    private const string Ruili = "533102";
    private const string RuiliAgency = "201001"; // 瑞丽市人民政府办公室, banks at 102
    private const string RuiliFunc = "2010301";

    private readonly TestNetwork _net = new(divisions: 3);

    public void Dispose() => _net.Dispose();

    /// <summary>
    /// Quota for one unit of 芒市 (5000.00) and one of 瑞丽市 (7000.00), then an 8202 of each (100.00 and 200.00) under the
    /// numbers given (null: the division's next number), delivered and processed.
    /// </summary>
    private async Task<(LibraryResult Mangshi, LibraryResult Ruili)> PayInTwoDivisionsAsync(string? mangshiNo, string? ruiliNo)
    {
        await _net.IssueQuotaAsync(
            new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("5000.00")),
            new QuotaPlanLine(RuiliAgency, RuiliFunc, Amount.ParseWire("7000.00")));
        var finance = _net.Finance.FinanceDesk!;
        var mangshi = finance.SubmitPayment(_net.Order("unused", Amount.ParseWire("100.00")) with { VoucherNo = mangshiNo }, TestNetwork.BusinessDate).ThrowIfRefused();
        var ruili = finance.SubmitPayment(_net.Order("unused", Amount.ParseWire("200.00"), RuiliAgency, RuiliFunc) with { VoucherNo = ruiliNo }, TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        return (mangshi, ruili);
    }

    [Fact]
    public async Task Each_division_numbers_its_own_payments_and_its_quota_names_its_own_treasury()
    {
        // No number given: each comes from its division's 8202 sequence.
        var (mangshi, ruili) = await PayInTwoDivisionsAsync(null, null);

        var first = _net.Finance.Library.Find(mangshi.VoucherId)!;
        var second = _net.Finance.Library.Find(ruili.VoucherId)!;
        Assert.Equal((Mangshi, Ruili), (first.AdmDivCode, second.AdmDivCode));
        Assert.Equal(first.VoucherNo, second.VoucherNo); // each division's 8202 sequence starts at its own first number
        Assert.All([first, second], v => Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(_net.Finance, v.Id).Status));

        var quotas = _net.Finance.Library.List("5105").Where(v => v.Origin == "own").Select(v => v.Content).ToList();
        Assert.Equal(2, quotas.Count);
        Assert.Equal("2533103000", quotas.Single(q => q["AdmDivCode"] == Mangshi)["TreCode"]);
        Assert.Equal("2533102000", quotas.Single(q => q["AdmDivCode"] == Ruili)["TreCode"]);
        var toPboc = _net.Finance.Library.List("5106").Single(v => v.Origin == "own" && v.AdmDivCode == Ruili).Content;
        Assert.Equal(("270000533102001", "瑞丽市国库单一账户"), (toPboc["PayAcctNo"], toPboc["PayAcctName"]));
    }

    [Fact]
    public async Task Each_division_keeps_its_own_books_though_its_payments_share_numbers_with_another()
    {
        await PayInTwoDivisionsAsync(null, null);
        var bank = _net.Bank102.BankDesk!;
        bank.RequestClearing(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();
        bank.SendDailyReport(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();

        var journal = new FinanceJournal(_net.Finance.Library);
        var posted = journal.PostPending().Posted.Select(e => e.VoucherRef).Where(r => r.Contains("/8202:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        // Both divisions' first 8202 is ZF…0001: two events, one in each division's books.
        Assert.Equal(2, posted.Count);
        Assert.Equal(posted[0][(posted[0].IndexOf('/', StringComparison.Ordinal) + 1)..], posted[1][(posted[1].IndexOf('/', StringComparison.Ordinal) + 1)..]);
        Assert.Equal([$"{Ruili}/", $"{Mangshi}/"], posted.Select(r => r[..7]));
        var (mangshi, ruili, all) = (journal.TrialBalance(Mangshi), journal.TrialBalance(Ruili), journal.TrialBalance());
        Assert.All([mangshi, ruili, all], tb => Assert.True(tb.IsBalanced));
        Assert.Equal(Amount.ParseWire("100.00"), mangshi.BalanceOf(Domain.Ledgers.Accounts.Expenditure, TestNetwork.Agency, TestNetwork.FuncCode));
        Assert.Equal(Amount.ParseWire("200.00"), ruili.Account(Domain.Ledgers.Accounts.Expenditure).Balance);
        Assert.Equal(Amount.ParseWire("4900.00"), mangshi.Account(Domain.Ledgers.Accounts.QuotaReceivable).Balance);
        Assert.Equal(Amount.ParseWire("6800.00"), ruili.Account(Domain.Ledgers.Accounts.QuotaReceivable).Balance);
        Assert.Equal(mangshi.TotalDebits + ruili.TotalDebits, all.TotalDebits);

        // What came in for 瑞丽市 (its bank's 2207) was signed for by 瑞丽市's own 录入, 芒市's by the node's.
        var signedFor = _net.Finance.Library.List("2207").Where(v => v.Origin == "received").ToDictionary(v => v.AdmDivCode, v => v.Key.ToString());
        Assert.Equal(1, TestNetwork.Count(_net.Finance, $"SELECT COUNT(*) FROM audit WHERE actor = 'rl_lr' AND subject = '{signedFor[Ruili]}' AND operation = 'SignedFor'"));
        Assert.Equal(1, TestNetwork.Count(_net.Finance, $"SELECT COUNT(*) FROM audit WHERE actor = 'cz_lr' AND subject = '{signedFor[Mangshi]}' AND operation = 'SignedFor'"));
        Assert.Equal(0, journal.PostPending().Count);
    }

    [Fact]
    public async Task A_day_in_three_divisions_reconciles_each_division_on_its_own_and_balanced()
    {
        var summary = await new DemoRunner(_net.Network, _ => { }).RunAsync(DemoPlan.Create(_net.Master, seed: 7, payments: 30));

        Assert.True(summary.Reconciliation.Balanced, string.Join("; ", summary.Reconciliation.Details));
        var divisions = summary.Divisions!;
        Assert.Equal([Mangshi, Ruili, "533100"], divisions.Select(d => d.AdmDivCode));
        Assert.All(divisions, d =>
        {
            Assert.True(d.Balanced, d.AdmDivCode);
            Assert.True(d.TreasuryBalanced, d.AdmDivCode);
            Assert.True(d.Paid > 0, $"{d.AdmDivCode} paid something");
        });
        Assert.Equal(summary.Payments.Paid, divisions.Sum(d => d.Paid));
        Assert.Equal(Amount.ParseWire(summary.Payments.PaidAmount), Amount.Sum(divisions.Select(d => Amount.ParseWire(d.PaidAmount))));
        Assert.Equal(summary.Flows!.Statements!.Checked, summary.Flows.Statements.Balanced);
        Assert.All(summary.Flows.ClearingAnswers, a => Assert.Equal(0, a.XCheckResult));
        Assert.All(summary.AuditIntact, party => Assert.True(party.Value, party.Key));

        // PBOC's statements and each bank's 2301 and daily report are one per division.
        var statements = _net.Pboc.Library.List("4004").Where(v => v.Origin == "own").Select(v => v.AdmDivCode).Order().ToList();
        Assert.Equal(["533100", Ruili, Mangshi], statements);
        Assert.Equal(3, _net.Bank102.Library.List("2207").Count(v => v.Origin == "own"));
        Assert.Equal(3, _net.Bank102.Library.List("2301").Where(v => v.Origin == "own").Select(v => v.AdmDivCode).Distinct().Count());
    }

    [Fact]
    public async Task A_misbooking_in_one_division_unbalances_that_division_only()
    {
        var plan = DemoPlan.Create(_net.Master, seed: 7, payments: 30) with { InjectMismatch = true };

        var summary = await new DemoRunner(_net.Network, _ => { }).RunAsync(plan);

        Assert.False(summary.Reconciliation.Balanced);
        var wrong = Assert.Single(summary.Divisions!, d => !d.Balanced);
        Assert.Equal(summary.Reconciliation.Mismatches, wrong.Mismatches);
        Assert.All(summary.Reconciliation.Details, detail => Assert.StartsWith(wrong.AdmDivCode + " ", detail, StringComparison.Ordinal));
    }

    [Fact]
    public void An_allocation_number_is_one_divisions_only()
    {
        var finance = _net.Finance.FinanceDesk!;
        var line = new AllocationLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.FromYuan(1_000));
        finance.IssueAllocation(new AllocationOrder("SB-X-001", finance.UnitPayee(TestNetwork.Agency), [line], "拨付专项经费"), TestNetwork.BusinessDate).ThrowIfRefused();

        var other = new AllocationOrder("SB-X-001", finance.UnitPayee(RuiliAgency), [new AllocationLine(RuiliAgency, RuiliFunc, Amount.FromYuan(1_000))], "拨付专项经费");
        var mixed = new AllocationOrder("SB-X-002", finance.UnitPayee(RuiliAgency), [line, new AllocationLine(RuiliAgency, RuiliFunc, Amount.FromYuan(1_000))], "拨付专项经费");

        var taken = finance.IssueAllocation(other, TestNetwork.BusinessDate);
        var both = finance.IssueAllocation(mixed, TestNetwork.BusinessDate);

        Assert.Equal(Node.Library.LibraryRejection.DuplicateVoucherNo, taken.Rejection);
        Assert.Contains("已在行政区划 533103 使用", taken.Message, StringComparison.Ordinal);
        Assert.Equal(Node.Library.LibraryRejection.InvalidVoucher, both.Rejection);
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers WHERE vt_code = '5207'"));
    }

    [Fact]
    public async Task A_division_configures_its_own_template_version_and_each_voucher_keeps_and_signs_the_one_it_was_made_under()
    {
        var (mangshi, ruili) = await PayInTwoDivisionsAsync("MS-T-1", "RL-T-1");

        // 瑞丽市's 8202 is made under its version 2 (no 法人章), 芒市's under the defaults.
        var (ownMangshi, ownRuili) = (_net.Finance.Library.Find(mangshi.VoucherId)!, _net.Finance.Library.Find(ruili.VoucherId)!);
        Assert.Equal((1, 2), (ownMangshi.TemplateVersion, ownRuili.TemplateVersion));
        Assert.Equal(["dw_cwzyz", "dw_frz", "dw_fzrsz", "dw_jbrsz"], _net.Finance.Library.Stamps(ownMangshi.Id).Select(s => s.Position).Order());
        Assert.Equal(["dw_cwzyz", "dw_fzrsz", "dw_jbrsz"], _net.Finance.Library.Stamps(ownRuili.Id).Select(s => s.Position).Order());

        // The bank checked the version the stamps sign, keeps it, and signed for both.
        var atBank = _net.Bank102.Library.List("8202").Where(v => v.Origin == "received").ToDictionary(v => v.VoucherNo);
        Assert.Equal((1, 2), (atBank["MS-T-1"].TemplateVersion, atBank["RL-T-1"].TemplateVersion));
        Assert.All([ownMangshi, ownRuili], v => Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(_net.Finance, v.Id).Status));
        Assert.All(_net.Bank102.Library.Stamps(atBank["RL-T-1"].Id), s =>
            Assert.EndsWith("@t2", Trust.Seals.SealSignature.TryParse(s.Der, out var stamp, out _) ? stamp.PropertyInfo : "unreadable", StringComparison.Ordinal));

        // Offline, the same file verifies against the network's templates and not against the defaults alone.
        var file = _net.Finance.Library.Export(ownRuili.Id);
        var registry = new Node.Seals.SealRegistry(_net.Bank102.Library.Database).Find;
        Assert.True(Node.Signing.EnvelopeVerifier.Verify(file, _net.Network.Trust.SealVerifier, registry, _net.Master.Templates()).Valid);
        var defaultsOnly = Node.Signing.EnvelopeVerifier.Verify(file, _net.Network.Trust.SealVerifier, registry, Domain.Seals.StampTemplates.Defaults);
        Assert.Contains(defaultsOnly.Problems, p => p.Contains("stamp template version 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_divisions_finance_bureau_stamps_with_its_own_seal_and_it_is_refused_on_another_divisions_voucher()
    {
        var finance = _net.Finance.FinanceDesk!;
        var ruili = finance.IssueAllocation(new AllocationOrder("SB-RL-101", finance.UnitPayee(RuiliAgency), [new AllocationLine(RuiliAgency, RuiliFunc, Amount.FromYuan(1_000))], "拨付专项经费"), TestNetwork.BusinessDate).ThrowIfRefused();
        var mangshi = finance.IssueAllocation(new AllocationOrder("SB-MS-101", finance.UnitPayee(TestNetwork.Agency), [new AllocationLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.FromYuan(1_000))], "拨付专项经费"), TestNetwork.BusinessDate).ThrowIfRefused();
        var registry = new Node.Seals.SealRegistry(_net.Finance.Library.Database);
        string SealAt(long id) => registry.Find(_net.Finance.Library.Stamps(id).Single(s => s.Position == "cz_ywzyz").EsId!)!.Name;

        Assert.Equal("瑞丽市财政局业务专用章", SealAt(ruili.VoucherId));
        Assert.Equal("芒市财政局业务专用章", SealAt(mangshi.VoucherId));

        // Entered and approved by each division's own shift: 瑞丽市's pair for 瑞丽市, the node's for 芒市.
        var (own, home) = (_net.Finance.Library.Find(ruili.VoucherId)!, _net.Finance.Library.Find(mangshi.VoucherId)!);
        Assert.Equal(("rl_lr", "rl_sh"), (own.EnteredBy, own.ApprovedBy));
        Assert.Equal((FinanceContext.Entry, FinanceContext.Approval), (home.EnteredBy, home.ApprovedBy));

        // 瑞丽市's seal put on 芒市's 5207 over the same bytes: PBOC refuses it at the position, and stores nothing.
        var genuine = _net.Finance.Library.Export(mangshi.VoucherId);
        var body = Tamper.Read(genuine);
        var ruiliSeal = registry.List().Single(s => s.AdmDivCode == Ruili && s.Type == Domain.Seals.SealType.BusinessSeal);
        Assert.True(Trust.Seals.ElectronicSeal.TryParse(ruiliSeal.Der, out var seal, out _));
        var der = _net.Finance.Library.Signing.StampAsInstitution(seal, body.InnerVoucher, Node.Signing.SignatureServer.PropertyInfo(body.Key, body.Version, "cz_ywzyz", 1), _net.Clock.GetUtcNow()).Der;
        var forged = Tamper.Body(genuine, b => b with { Stamps = [.. b.Stamps.Select(s => s.Position == "cz_ywzyz" ? s with { Der = der } : s)] });

        var answer = _net.Pboc.Library.Receive(new Node.Messaging.TransportMessage("forged-1", PartyId.Finance, PartyId.Pboc, Node.Messaging.MessageKind.Voucher, forged));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.Contains("PositionNotAllowed", answer.Reason, StringComparison.Ordinal);
        Assert.Contains("is a seal of division 533102, not of the voucher's 533103", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers WHERE voucher_no = 'SB-MS-101'"));
    }

    [Fact]
    public void A_person_of_one_division_stamps_that_divisions_vouchers_and_sees_only_them()
    {
        // 瑞丽市's own 国库股 pair (rl_lr, rl_sh) works at the prefecture's Finance node for 瑞丽市 only.
        Assert.Equal(Ruili, _net.Finance.Users.Find("rl_lr")!.AdmDivCode);
        Assert.Null(_net.Finance.Users.Find(FinanceContext.Entry)!.AdmDivCode);
        var context = new FinanceContext(_net.Finance.Library, _net.Master, _net.Finance.Signers);
        var payee = _net.Finance.FinanceDesk!.UnitPayee(RuiliAgency);
        var ruili = new AllocationOrder("SB-RL-001", payee, [new AllocationLine(RuiliAgency, RuiliFunc, Amount.FromYuan(1_000))], "拨付专项经费");
        var mangshi = new AllocationOrder("SB-MS-001", _net.Finance.FinanceDesk.UnitPayee(TestNetwork.Agency), [new AllocationLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.FromYuan(1_000))], "拨付专项经费");
        var (entry, approval) = (_net.FinanceSigner("rl_lr"), _net.FinanceSigner("rl_sh"));
        var library = _net.Finance.Library;

        var own = library.Run(s => library.Issue(s, FinanceAllocations.Voucher(context, ruili, TestNetwork.BusinessDate), [PartyId.Pboc], entry, approval));
        var other = library.Run(s => library.Issue(s, FinanceAllocations.Voucher(context, mangshi, TestNetwork.BusinessDate), [PartyId.Pboc], entry, approval));

        Assert.True(own.Ok, own.Message);
        Assert.Equal(LibraryRejection.NotAuthorizedToStamp, other.Rejection);
        Assert.Contains("works for division 533102", other.Message, StringComparison.Ordinal);
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers WHERE vt_code = '5207'")); // the refused one left nothing
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'stamp-refused' AND actor = 'rl_lr'"));

        // The node-wide staff's voucher of 芒市 is outside 瑞丽市's people's lists and refused them one by one.
        var prefecture = _net.Finance.FinanceDesk.IssueAllocation(mangshi with { VoucherNo = "SB-MS-002" }, TestNetwork.BusinessDate).ThrowIfRefused();
        var seen = library.Query(new VoucherQuery("own", "5207", AdmDivCode: Ruili));
        Assert.Equal([Ruili], seen.Select(v => v.AdmDivCode).Distinct());
        Assert.Equal(2, library.Query(new VoucherQuery("own", "5207")).Count);
        var theirs = library.Find(prefecture.VoucherId)!;
        Assert.Equal(AuthorizationRejection.OtherDivision, Authorization.Check(entry.Actor, NodeAction.ReadVouchers, PartyId.Finance, theirs.Scope));
        Assert.Equal(AuthorizationRejection.None, Authorization.Check(_net.FinanceSigner(FinanceContext.Entry).Actor, NodeAction.ReadVouchers, PartyId.Finance, theirs.Scope));
    }
}

/// <summary>A voucher of a division the receiver's master data does not serve is refused with the receiver's code.</summary>
public sealed class UnknownDivisionTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task A_payment_of_a_division_the_bank_does_not_serve_is_refused_with_UnknownDivision()
    {
        var library = _net.Finance.Library;
        var stray = _net.Payment("ZF-FOREIGN-1", "100.00").With("AdmDivCode", "533199");
        var id = library.Run(s => library.Issue(s, stray, [TestNetwork.Bank102Party], _net.FinanceSigner(TestNetwork.UnitClerk), _net.FinanceSigner(TestNetwork.UnitHead))).ThrowIfRefused().VoucherId;

        await _net.SettleAndProcessAsync();

        var delivery = TestNetwork.DeliveryOf(_net.Finance, id);
        Assert.Equal(VoucherStatus.SignForFailed, delivery.Status);
        Assert.Equal("UnknownDivision (15): 本行不办理行政区划 533199 的业务", delivery.Reason);
        Assert.Equal(BankRoutes.UnknownDivision("533199"), delivery.Reason);
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_payments"));
    }
}
