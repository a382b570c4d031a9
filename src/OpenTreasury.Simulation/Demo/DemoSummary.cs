using System.Text.Json.Serialization;

namespace OpenTreasury.Simulation.Demo;

/// <summary>What a demo run shows: counts, money as two-place decimal strings, and the books' verdict.</summary>
public sealed record DemoSummary(
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("payments")] PaymentCounts Payments,
    [property: JsonPropertyName("quota")] QuotaTotals Quota,
    [property: JsonPropertyName("clearing")] ClearingTotals Clearing,
    [property: JsonPropertyName("reconciliation")] ReconciliationOutcome Reconciliation,
    [property: JsonPropertyName("vouchers")] VoucherCounts Vouchers,
    [property: JsonPropertyName("signatures")] SignatureCounts Signatures,
    [property: JsonPropertyName("audit")] IReadOnlyDictionary<string, bool> AuditIntact,
    [property: JsonPropertyName("elapsedMs")] long ElapsedMs)
{
    /// <summary>The other flows of the day, beside authorized payment (<see cref="Payments"/>, <see cref="Quota"/>).</summary>
    [JsonPropertyName("flows")]
    public FlowCounts? Flows { get; init; }

    /// <summary>PBOC's treasury single account (国库单一账户) over the run and per business day.</summary>
    [JsonPropertyName("treasuryAccount")]
    public TreasuryAccountSummary? TreasuryAccount { get; init; }

    /// <summary>Finance's budget indicators (预算指标) in total: indicator, quota planned on them, paid, left.</summary>
    [JsonPropertyName("indicators")]
    public IndicatorTotals? Indicators { get; init; }

    /// <summary>Each division on its own (only when the network serves more than one): what it paid, its reconciliation, its treasury account.</summary>
    [JsonPropertyName("divisions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DivisionOutcome>? Divisions { get; init; }
}

/// <summary>One division (行政区划) of the run: its 8202s paid, its reconciliation (whole run and each day), its treasury single account and its own books (the trial balance and the expenditure of its journal).</summary>
public sealed record DivisionOutcome(
    [property: JsonPropertyName("admDivCode")] string AdmDivCode,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("paid")] int Paid,
    [property: JsonPropertyName("paidAmount")] string PaidAmount,
    [property: JsonPropertyName("balanced")] bool Balanced,
    [property: JsonPropertyName("mismatches")] int Mismatches,
    [property: JsonPropertyName("days")] IReadOnlyList<DayOutcome> Days,
    [property: JsonPropertyName("treasuryClosing")] string TreasuryClosing,
    [property: JsonPropertyName("treasuryBalanced")] bool TreasuryBalanced,
    [property: JsonPropertyName("journalBalanced")] bool JournalBalanced,
    [property: JsonPropertyName("expenditure")] string Expenditure);

/// <summary>预算指标 in total: left = indicator − planned; quotaLeft = planned − paid.</summary>
public sealed record IndicatorTotals(
    [property: JsonPropertyName("lines")] int Lines,
    [property: JsonPropertyName("indicator")] string Indicator,
    [property: JsonPropertyName("planned")] string Planned,
    [property: JsonPropertyName("paid")] string Paid,
    [property: JsonPropertyName("left")] string Left,
    [property: JsonPropertyName("quotaLeft")] string QuotaLeft);

/// <summary>
/// 国库单一账户: closing = opening − cleared (2301) − allocated (5207) + refunded (2302 and 3208), to the fen;
/// <see cref="Balanced"/> also holds the closing against the account's stored balance.
/// </summary>
public sealed record TreasuryAccountSummary(
    [property: JsonPropertyName("opening")] string Opening,
    [property: JsonPropertyName("cleared")] string Cleared,
    [property: JsonPropertyName("allocated")] string Allocated,
    [property: JsonPropertyName("refunded")] string Refunded,
    [property: JsonPropertyName("closing")] string Closing,
    [property: JsonPropertyName("balanced")] bool Balanced,
    [property: JsonPropertyName("days")] IReadOnlyList<TreasuryDay> Days);

/// <summary>One business day of the treasury single account.</summary>
public sealed record TreasuryDay(
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("opening")] string Opening,
    [property: JsonPropertyName("cleared")] string Cleared,
    [property: JsonPropertyName("allocated")] string Allocated,
    [property: JsonPropertyName("refunded")] string Refunded,
    [property: JsonPropertyName("closing")] string Closing);

/// <summary>直接支付 and 实拨 as the day ran them.</summary>
public sealed record FlowCounts(
    [property: JsonPropertyName("direct")] DirectCounts Direct,
    [property: JsonPropertyName("allocation")] AllocationCounts Allocation)
{
    /// <summary>退款: payments partly sent back by their payees (2302 to PBOC).</summary>
    [JsonPropertyName("refunds")]
    public int Refunds { get; init; }

    /// <summary>清算信息对账: the answers to PBOC's 3507.</summary>
    [JsonPropertyName("clearingAnswers")]
    public IReadOnlyList<ClearingAnswerCount> ClearingAnswers { get; init; } = [];

    /// <summary>Each party's ledger balances after the day (Finance's journal as a trial balance).</summary>
    [JsonPropertyName("ledgers")]
    public LedgerBalances? Ledgers { get; init; }

    /// <summary>凭证对账: PBOC's 3501/3502/4004/4005 statements as Finance and the banks checked them.</summary>
    [JsonPropertyName("statements")]
    public StatementCounts? Statements { get; init; }
}

/// <summary>Finance's trial balance by account, the banks' quota books and PBOC's treasury and clearing quotas.</summary>
public sealed record LedgerBalances(
    [property: JsonPropertyName("financeTrialBalanced")] bool FinanceTrialBalanced,
    [property: JsonPropertyName("finance")] IReadOnlyDictionary<string, string> Finance,
    [property: JsonPropertyName("banks")] IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Banks,
    [property: JsonPropertyName("pboc")] IReadOnlyDictionary<string, string> Pboc);

/// <summary>清算信息对账: each party's 5507/2507 answer to PBOC's 3507 (XCheckResult 0 = matches).</summary>
public sealed record ClearingAnswerCount(
    [property: JsonPropertyName("party")] string Party,
    [property: JsonPropertyName("vtCode")] string VtCode,
    [property: JsonPropertyName("xCheckResult")] int XCheckResult,
    [property: JsonPropertyName("xDiffNum")] int XDiffNum);

public sealed record StatementCounts(
    [property: JsonPropertyName("checked")] int Checked,
    [property: JsonPropertyName("balanced")] int Balanced,
    [property: JsonPropertyName("mismatches")] int Mismatches);

public sealed record DirectCounts(
    [property: JsonPropertyName("requested")] int Requested,
    [property: JsonPropertyName("receipts")] int Receipts,
    [property: JsonPropertyName("failedLines")] int FailedLines,
    [property: JsonPropertyName("paidAmount")] string PaidAmount);

public sealed record AllocationCounts(
    [property: JsonPropertyName("issued")] int Issued,
    [property: JsonPropertyName("paid")] int Paid,
    [property: JsonPropertyName("returned")] int Returned,
    [property: JsonPropertyName("reissued")] int Reissued,
    [property: JsonPropertyName("paidAmount")] string PaidAmount,
    [property: JsonPropertyName("refunded")] string Refunded,
    [property: JsonPropertyName("treasuryBalance")] string TreasuryBalance);

public sealed record PaymentCounts(
    [property: JsonPropertyName("requested")] int Requested,
    [property: JsonPropertyName("paid")] int Paid,
    [property: JsonPropertyName("rejected")] int Rejected,
    [property: JsonPropertyName("paidAmount")] string PaidAmount);

public sealed record QuotaTotals(
    [property: JsonPropertyName("issued")] string Issued,
    [property: JsonPropertyName("paid")] string Paid,
    [property: JsonPropertyName("remaining")] string Remaining);

public sealed record ClearingTotals(
    [property: JsonPropertyName("cleared")] string Cleared,
    [property: JsonPropertyName("requests")] int Requests);

public sealed record ReconciliationOutcome(
    [property: JsonPropertyName("balanced")] bool Balanced,
    [property: JsonPropertyName("mismatches")] int Mismatches,
    [property: JsonPropertyName("details")] IReadOnlyList<string> Details)
{
    /// <summary>Each business day reconciled on its own.</summary>
    [JsonPropertyName("days")]
    public IReadOnlyList<DayOutcome> Days { get; init; } = [];
}

public sealed record DayOutcome(
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("balanced")] bool Balanced,
    [property: JsonPropertyName("mismatches")] int Mismatches);

public sealed record VoucherCounts(
    [property: JsonPropertyName("byType")] IReadOnlyDictionary<string, int> ByType,
    [property: JsonPropertyName("replies")] int Replies);

public sealed record SignatureCounts(
    [property: JsonPropertyName("verified")] long Verified,
    [property: JsonPropertyName("failed")] long Failed);
