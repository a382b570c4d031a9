using System.Diagnostics.CodeAnalysis;
using OpenTreasury.Domain.Codes;

namespace OpenTreasury.Domain.Parties;

/// <summary>The kinds of party that run a node. Budget units act through Finance's node.</summary>
public enum PartyKind
{
    Finance = 1, // 财政
    Pboc = 2,    // 人民银行国库
    Bank = 3,    // 代理银行
}

/// <summary>
/// One party of the network: <c>finance</c>, <c>pboc</c> or <c>bank-102</c>. Its org-type code in the
/// library API is 011 (Finance), 001 (PBOC) or the bank's three-digit category code.
/// </summary>
public readonly record struct PartyId
{
    private PartyId(PartyKind kind, BankCode? bank)
    {
        Kind = kind;
        Bank = bank;
    }

    public static PartyId Finance { get; } = new(PartyKind.Finance, null);

    public static PartyId Pboc { get; } = new(PartyKind.Pboc, null);

    public PartyKind Kind { get; }

    public BankCode? Bank { get; }

    public string OrgTypeCode => Kind switch
    {
        PartyKind.Finance => "011",
        PartyKind.Pboc => "001",
        _ => Bank!.Value.Value,
    };

    /// <summary>The stamp-position prefix of this party (财政 cz, 人行 rh, 银行 yh).</summary>
    public string PositionPrefix => Kind switch
    {
        PartyKind.Finance => "cz",
        PartyKind.Pboc => "rh",
        _ => "yh",
    };

    public string ChineseName => Kind switch
    {
        PartyKind.Finance => "财政",
        PartyKind.Pboc => "人民银行",
        _ => $"代理银行{Bank}",
    };

    public static PartyId ForBank(BankCode bank) => new(PartyKind.Bank, bank);

    public static bool TryParse([NotNullWhen(true)] string? text, out PartyId party)
    {
        party = default;
        switch (text)
        {
            case "finance":
                party = Finance;
                return true;
            case "pboc":
                party = Pboc;
                return true;
            case not null when text.StartsWith("bank-", StringComparison.Ordinal) && BankCode.TryParse(text[5..], out var bank):
                party = ForBank(bank);
                return true;
            default:
                return false;
        }
    }

    public static PartyId Parse(string text) =>
        TryParse(text, out var party) ? party : throw new FormatException($"'{text}' is not a party: use finance, pboc or bank-NNN.");

    public override string ToString() => Kind switch
    {
        PartyKind.Finance => "finance",
        PartyKind.Pboc => "pboc",
        _ => $"bank-{Bank}",
    };
}
