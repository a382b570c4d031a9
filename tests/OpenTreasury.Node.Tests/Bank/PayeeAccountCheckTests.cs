using OpenTreasury.Business.Bank;

namespace OpenTreasury.Node.Tests.Bank;

/// <summary>账户核验 is a port the bank configures: the sample's list of closed accounts, not a rule on the digits.</summary>
public sealed class PayeeAccountCheckTests
{
    [Fact]
    public void Only_the_listed_accounts_are_closed_whatever_their_digits()
    {
        var check = new ClosedAccountList(["53001638736050010000"]);

        Assert.Contains("已销户", check.Refuse("53001638736050010000"), StringComparison.Ordinal);
        Assert.Null(check.Refuse("53001638736050020000")); // ends in 0000, and is open
        Assert.Null(check.Refuse("53001638736050012345"));
        Assert.Equal("收款人账号为空", check.Refuse(" "));
    }

    [Fact]
    public void The_sample_lists_the_closed_accounts_the_demo_pays_to()
    {
        var master = Simulation.SampleMasterData.Mangshi(2026);
        var check = new ClosedAccountList(master.ClosedAccounts);

        Assert.All(master.Payees, p => Assert.Null(check.Refuse(p.AccountNo)));
        Assert.All(master.Units, u => Assert.Null(check.Refuse(u.AccountNo)));
        Assert.All(master.Payees, p => Assert.NotNull(check.Refuse(p.AccountNo[..^4] + "0000")));
    }
}
