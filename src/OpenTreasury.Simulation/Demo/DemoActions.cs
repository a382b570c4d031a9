using System.Text.Json;
using System.Text.Json.Serialization;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Simulation.Demo;

/// <summary>
/// One step of the demo plan that one party's node carries out with its own desk and people — the same steps
/// whether the node runs in this process or in its own (then they travel as JSON to its <c>/demo/action</c>).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "action")]
[JsonDerivedType(typeof(IssueQuota), "issue-quota")]
[JsonDerivedType(typeof(SubmitPayment), "submit-payment")]
[JsonDerivedType(typeof(SubmitDirectPayment), "submit-direct-payment")]
[JsonDerivedType(typeof(OpenTreasuryAccount), "open-treasury-account")]
[JsonDerivedType(typeof(RegisterIndicators), "register-indicators")]
[JsonDerivedType(typeof(IssueAllocation), "issue-allocation")]
[JsonDerivedType(typeof(ReissueAllocation), "reissue-allocation")]
[JsonDerivedType(typeof(SendAllocationRefund), "send-allocation-refund")]
[JsonDerivedType(typeof(RequestClearing), "request-clearing")]
[JsonDerivedType(typeof(RefundPayment), "refund-payment")]
[JsonDerivedType(typeof(SendDailyReport), "send-daily-report")]
[JsonDerivedType(typeof(SendDirectPaymentReports), "send-direct-payment-reports")]
[JsonDerivedType(typeof(SendVoucherReconciliation), "send-voucher-reconciliation")]
[JsonDerivedType(typeof(SendClearingReconciliation), "send-clearing-reconciliation")]
[JsonDerivedType(typeof(PostJournal), "post-journal")]
[JsonDerivedType(typeof(MisbookPayment), "misbook-payment")]
[JsonDerivedType(typeof(Deliver), "deliver")]
[JsonDerivedType(typeof(ProcessReceived), "process-received")]
public abstract record DemoAction;

/// <summary>预算指标: Finance enters and approves the year's budget indicators under the budget document's number.</summary>
public sealed record RegisterIndicators(string Reference, IReadOnlyList<IndicatorLine> Lines) : DemoAction;

public sealed record IssueQuota(int Month, DateOnly Date, IReadOnlyList<QuotaPlanLine> Lines) : DemoAction;

public sealed record SubmitPayment(PaymentOrder Order, DateOnly Date) : DemoAction;

public sealed record SubmitDirectPayment(DirectPaymentOrder Order, DateOnly Date) : DemoAction;

/// <summary>Opens the treasury account of division <paramref name="AdmDivCode"/> (the home one when null) with <paramref name="Amount"/> unless it is open already (a rerun).</summary>
public sealed record OpenTreasuryAccount(Amount Amount, string? AdmDivCode = null) : DemoAction;

public sealed record IssueAllocation(AllocationOrder Order, DateOnly Date) : DemoAction;

public sealed record ReissueAllocation(string Returned, string Reissued, DateOnly Date, string PayeeAgencyCode, string Reason) : DemoAction;

public sealed record SendAllocationRefund(string OriVoucherNo, Amount Amount, string Reason, string VoucherNo, DateOnly Date) : DemoAction;

public sealed record RequestClearing(DateOnly Date) : DemoAction;

public sealed record RefundPayment(string RefundNo, string OriVoucherNo, int Line, Amount Amount, string Reason, DateOnly Date, string? AdmDivCode = null) : DemoAction;

public sealed record SendDailyReport(DateOnly Date) : DemoAction;

/// <summary>The demo's fault: the bank misbooks one payment line by <paramref name="Fen"/> before its daily report (DemoFaults).</summary>
public sealed record MisbookPayment(DateOnly Date, long Fen) : DemoAction;

public sealed record SendDirectPaymentReports(DateOnly Date) : DemoAction;

public sealed record SendVoucherReconciliation(DateOnly Date) : DemoAction;

public sealed record SendClearingReconciliation(DateOnly Begin, DateOnly End) : DemoAction;

public sealed record PostJournal : DemoAction;

/// <summary>Delivers what is due in the node's outbox; the outcome counts the messages delivered.</summary>
public sealed record Deliver : DemoAction;

/// <summary>The node's desk works what arrived; the outcome counts the vouchers handled.</summary>
public sealed record ProcessReceived(DateOnly Date) : DemoAction;

/// <summary>What a step did: done (with a count) or refused with the library's reason.</summary>
public sealed record DemoOutcome(bool Ok, int Count, string? Refusal)
{
    public static DemoOutcome Done(int count = 0) => new(true, count, null);

    public static DemoOutcome Of(LibraryResult? result) => result is null || result.Ok ? Done() : new(false, 0, $"{result.Rejection} ({(int)result.Rejection}): {result.Message}");

    public static DemoOutcome Of(IEnumerable<LibraryResult> results) => results.Select(Of).FirstOrDefault(o => !o.Ok) ?? Done();

    /// <summary>Throws when the step was refused: a refusal means the demo's own plan has a bug.</summary>
    public DemoOutcome ThrowIfRefused(PartyId party, DemoAction action) =>
        Ok ? this : throw new LibraryRefusedException($"{party} refused {action.GetType().Name}: {Refusal}");
}

/// <summary>Carries out a <see cref="DemoAction"/> on one node, with its desk and the demo's people.</summary>
public static class DemoActions
{
    /// <summary>The JSON the actions and outcomes travel as; amounts as the wire's two-place strings.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new AmountJson() } };

    public static async Task<DemoOutcome> ExecuteAsync(TreasuryNode node, DemoAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        return action switch
        {
            Deliver => DemoOutcome.Done(await node.Worker.DeliverDueAsync(cancellationToken).ConfigureAwait(false)),
            ProcessReceived p => DemoOutcome.Done(await node.ProcessAsync(p.Date, cancellationToken).ConfigureAwait(false)),
            RegisterIndicators r => DemoOutcome.Of(Finance(node).RegisterIndicators(r.Reference, r.Lines)),
            IssueQuota q => DemoOutcome.Of(Finance(node).IssueQuota(q.Month, q.Date, q.Lines)),
            SubmitPayment s => DemoOutcome.Of(Finance(node).SubmitPayment(s.Order, s.Date)),
            SubmitDirectPayment s => DemoOutcome.Of(Finance(node).SubmitDirectPayment(s.Order, s.Date)),
            IssueAllocation a => DemoOutcome.Of(Finance(node).IssueAllocation(a.Order, a.Date)),
            ReissueAllocation r => DemoOutcome.Of(Finance(node).ReissueAllocation(r.Returned, r.Reissued, r.Date, Finance(node).UnitPayee(r.PayeeAgencyCode), r.Reason)),
            PostJournal => DemoOutcome.Done(new FinanceJournal(node.Library).PostPending().Count),
            OpenTreasuryAccount o => !Pboc(node).TreasuryAccountOpen(o.AdmDivCode)
                ? DemoOutcome.Of(Pboc(node).OpenTreasuryAccount(o.Amount, o.AdmDivCode))
                : DemoOutcome.Done(),
            SendAllocationRefund r => DemoOutcome.Of(Pboc(node).SendAllocationRefund(r.OriVoucherNo, r.Amount, r.Reason, r.VoucherNo, r.Date)),
            SendVoucherReconciliation s => DemoOutcome.Of(Pboc(node).SendVoucherReconciliation(s.Date)),
            SendClearingReconciliation s => DemoOutcome.Of(Pboc(node).SendClearingReconciliation(s.Begin, s.End)),
            RequestClearing c => DemoOutcome.Of(Bank(node).RequestClearing(c.Date)),
            RefundPayment r => DemoOutcome.Of(Bank(node).RefundPayment(r.RefundNo, r.OriVoucherNo, r.Line, r.Amount, r.Reason, r.Date, r.AdmDivCode)),
            SendDailyReport d => DemoOutcome.Of(Bank(node).SendDailyReport(d.Date)),
            MisbookPayment m => DemoOutcome.Of(DemoFaults.MisbookFirstUnreportedLine(node, m.Date, m.Fen)),
            SendDirectPaymentReports d => DemoOutcome.Of(Bank(node).SendDirectPaymentReports(d.Date)),
            _ => throw new ArgumentException($"unknown demo action {action.GetType().Name}", nameof(action)),
        };
    }

    private static FinanceDesk Finance(TreasuryNode node) => node.FinanceDesk ?? throw new ArgumentException($"{node.Party} is not Finance");

    private static Business.Pboc.PbocDesk Pboc(TreasuryNode node) => node.PbocDesk ?? throw new ArgumentException($"{node.Party} is not PBOC");

    private static Business.Bank.BankDesk Bank(TreasuryNode node) => node.BankDesk ?? throw new ArgumentException($"{node.Party} is not a bank");

    /// <summary>An <see cref="Amount"/> as the wire writes it ("1234.50"), parsed exactly, never through a double.</summary>
    private sealed class AmountJson : JsonConverter<Amount>
    {
        public override Amount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Amount.TryParseWire(reader.GetString() ?? string.Empty, out var amount) ? amount : throw new JsonException($"'{reader.GetString()}' is not an amount");

        public override void Write(Utf8JsonWriter writer, Amount value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToWire());
    }
}
