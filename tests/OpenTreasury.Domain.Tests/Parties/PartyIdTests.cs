using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Domain.Tests.Parties;

public sealed class PartyIdTests
{
    [Theory]
    [InlineData("finance", PartyKind.Finance, "011", "cz")]
    [InlineData("pboc", PartyKind.Pboc, "001", "rh")]
    [InlineData("bank-102", PartyKind.Bank, "102", "yh")]
    public void A_party_is_read_from_its_name_and_written_back_the_same(string text, PartyKind kind, string orgTypeCode, string prefix)
    {
        Assert.True(PartyId.TryParse(text, out var party));
        Assert.Equal(kind, party.Kind);
        Assert.Equal(orgTypeCode, party.OrgTypeCode);
        Assert.Equal(prefix, party.PositionPrefix);
        Assert.Equal(text, party.ToString());
        Assert.Equal(party, PartyId.Parse(text));
    }

    [Theory]
    [InlineData("bank-1")]
    [InlineData("bank-1020")]
    [InlineData("bank-")]
    [InlineData("bank102")]
    [InlineData("Bank-102")]
    [InlineData("Finance")]
    [InlineData("PBOC")]
    [InlineData(" finance")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_not_a_party(string? text)
    {
        Assert.False(PartyId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => PartyId.Parse(text!));
    }

    [Fact]
    public void A_bank_party_carries_its_bank_code()
    {
        var party = PartyId.ForBank(BankCode.Parse("105"));
        Assert.Equal("bank-105", party.ToString());
        Assert.Equal("代理银行105", party.ChineseName);
        Assert.Equal(BankCode.Parse("105"), party.Bank);
    }
}
