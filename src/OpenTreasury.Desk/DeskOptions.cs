using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Desk;

/// <summary>How one node's desks are set up: where its people's support control (支撑控件) listens.</summary>
public sealed record DeskOptions(string AgentUrl)
{
    /// <summary>The default address of the support control on a person's own machine.</summary>
    public const string DefaultAgentUrl = "http://127.0.0.1:5290";

    /// <summary>Each party its own colour, on one visual language.</summary>
    public static string ThemeOf(PartyKind kind) => kind switch
    {
        PartyKind.Finance => "#c0392b",
        PartyKind.Pboc => "#1d39c4",
        PartyKind.Bank => "#08979c",
        _ => "#595959",
    };

    public static string TitleOf(PartyKind kind) => kind switch
    {
        PartyKind.Finance => "财政国库集中支付",
        PartyKind.Pboc => "人民银行国库",
        PartyKind.Bank => "代理银行柜面",
        _ => "电子凭证库",
    };
}
