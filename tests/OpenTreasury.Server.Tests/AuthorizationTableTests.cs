using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.People;
using static OpenTreasury.Node.People.NodeAction;

namespace OpenTreasury.Server.Tests;

/// <summary>The authorization table, row by row: each post × action is allowed exactly where listed here.</summary>
public sealed class AuthorizationTableTests
{
    private static readonly Dictionary<(PartyKind, string), NodeAction[]> s_expected = new()
    {
        [(PartyKind.Finance, "国库股录入")] = [ReadVouchers, ExportVoucher, PrintVoucher, SignFor, Refuse, Return, EnterVoucher],
        [(PartyKind.Finance, "国库股审核")] = [ReadVouchers, ExportVoucher, PrintVoucher, SignFor, Refuse, Return, NodeAction.Void, ReprintVoucher, ManageMessages, ApproveVoucher],
        [(PartyKind.Finance, "单位经办人")] = [ReadVouchers, ExportVoucher, PrintVoucher, EnterVoucher],
        [(PartyKind.Finance, "单位财务负责人")] = [ReadVouchers, ExportVoucher, PrintVoucher, NodeAction.Void, EnterVoucher, ApproveVoucher],
        [(PartyKind.Finance, "系统管理员")] = [Administer],
        [(PartyKind.Pboc, "记账员")] = [ReadVouchers, ExportVoucher, PrintVoucher, SignFor, Refuse, Return, EnterVoucher],
        [(PartyKind.Pboc, "复核员")] = [ReadVouchers, ExportVoucher, PrintVoucher, SignFor, Refuse, Return, NodeAction.Void, ReprintVoucher, ManageMessages, ApproveVoucher],
        [(PartyKind.Pboc, "系统管理员")] = [Administer],
        [(PartyKind.Bank, "经办")] = [ReadVouchers, ExportVoucher, PrintVoucher, SignFor, Refuse, Return, EnterVoucher],
        [(PartyKind.Bank, "复核")] = [ReadVouchers, ExportVoucher, PrintVoucher, SignFor, Refuse, Return, NodeAction.Void, ReprintVoucher, ManageMessages, ApproveVoucher],
        [(PartyKind.Bank, "单位自助柜面")] = [ReadVouchers, ExportVoucher, PrintVoucher],
        [(PartyKind.Bank, "系统管理员")] = [Administer],
    };

    public static TheoryData<PartyKind, string, NodeAction> Cells
    {
        get
        {
            var data = new TheoryData<PartyKind, string, NodeAction>();
            var posts = s_expected.Keys.Select(k => k.Item2).Distinct().Append("出纳").ToList();
            foreach (var kind in Enum.GetValues<PartyKind>())
            {
                foreach (var post in posts)
                {
                    foreach (var action in Enum.GetValues<NodeAction>())
                    {
                        data.Add(kind, post, action);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void A_post_may_do_an_action_exactly_where_the_table_lists_it(PartyKind kind, string post, NodeAction action)
    {
        var expected = s_expected.TryGetValue((kind, post), out var actions) && actions.Contains(action);

        Assert.Equal(expected, Authorization.Allows(kind, post, action));
    }

    [Fact]
    public void The_table_has_no_row_this_test_does_not_know()
    {
        Assert.Equal(
            s_expected.OrderBy(e => e.Key).Select(e => $"{e.Key}: {string.Join(",", e.Value.Order())}"),
            Authorization.Rows.OrderBy(r => (r.Kind, r.Post)).Select(r => $"{(r.Kind, r.Post)}: {string.Join(",", r.Actions.Order())}"));
    }

    [Fact]
    public void A_units_person_acts_only_on_their_own_units_vouchers_and_nobody_on_another_partys_library()
    {
        var clerk = new Actor(PartyId.Finance, "dw101001_jbr", "单位经办人", "101001");
        var bank = new Actor(PartyId.Parse("bank-102"), "yh102_jb", "经办", null);

        Assert.Equal(AuthorizationRejection.None, Authorization.Check(clerk, ReadVouchers, PartyId.Finance, V("101001")));
        Assert.Equal(AuthorizationRejection.OtherUnit, Authorization.Check(clerk, ReadVouchers, PartyId.Finance, V("102001")));
        Assert.Equal(AuthorizationRejection.OtherUnit, Authorization.Check(clerk, ReadVouchers, PartyId.Finance, V(null)));
        Assert.Equal(AuthorizationRejection.PostMayNot, Authorization.Check(clerk, SignFor, PartyId.Finance, V("101001")));
        Assert.Equal(AuthorizationRejection.None, Authorization.Check(bank, SignFor, PartyId.Parse("bank-102"), V("101001")));
        Assert.Equal(AuthorizationRejection.OtherParty, Authorization.Check(bank, ReadVouchers, PartyId.Parse("bank-103"), null));
        Assert.Equal(AuthorizationRejection.OtherParty, Authorization.Check(bank, ReadVouchers, PartyId.Finance, V("101001")));
    }

    [Fact]
    public void A_first_print_needs_the_print_right_and_a_reprint_a_checking_post()
    {
        var entry = new Actor(PartyId.Finance, "cz_lr", "国库股录入", null);
        var check = new Actor(PartyId.Finance, "cz_sh", "国库股审核", null);
        var admin = new Actor(PartyId.Finance, "cz_gly1", "系统管理员", null);
        var clerk = new Actor(PartyId.Finance, "dw101001_jbr", "单位经办人", "101001");

        Assert.Equal(AuthorizationRejection.None, Authorization.CheckPrint(entry, PartyId.Finance, V("101001"), printedBefore: 0));
        Assert.Equal(AuthorizationRejection.ReprintNotAllowed, Authorization.CheckPrint(entry, PartyId.Finance, V("101001"), printedBefore: 1));
        Assert.Equal(AuthorizationRejection.None, Authorization.CheckPrint(check, PartyId.Finance, V("101001"), printedBefore: 1));
        Assert.Equal(AuthorizationRejection.None, Authorization.CheckPrint(check, PartyId.Finance, V(null), printedBefore: 7));
        Assert.Equal(AuthorizationRejection.PostMayNot, Authorization.CheckPrint(admin, PartyId.Finance, V(null), printedBefore: 0));
        Assert.Equal(AuthorizationRejection.PostMayNot, Authorization.CheckPrint(admin, PartyId.Finance, V(null), printedBefore: 1));
        Assert.Equal(AuthorizationRejection.None, Authorization.CheckPrint(clerk, PartyId.Finance, V("101001"), printedBefore: 0));
        Assert.Equal(AuthorizationRejection.OtherUnit, Authorization.CheckPrint(clerk, PartyId.Finance, V("102001"), printedBefore: 0));
        Assert.Equal(AuthorizationRejection.ReprintNotAllowed, Authorization.CheckPrint(clerk, PartyId.Finance, V("101001"), printedBefore: 1));
        Assert.Equal(AuthorizationRejection.OtherParty, Authorization.CheckPrint(check, PartyId.Pboc, V(null), printedBefore: 1));
    }

    [Fact]
    public void A_person_of_one_division_acts_only_on_that_divisions_vouchers_and_a_person_of_the_node_on_every_division()
    {
        var ruili = new Actor(PartyId.Finance, "rl_lr", "国库股录入", null, "533102");
        var prefecture = new Actor(PartyId.Finance, "cz_lr", "国库股录入", null);
        var ruiliClerk = new Actor(PartyId.Finance, "dw201001_jbr", "单位经办人", "201001", "533102");

        Assert.Equal(AuthorizationRejection.None, Authorization.Check(ruili, SignFor, PartyId.Finance, new VoucherScope(null, "533102")));
        Assert.Equal(AuthorizationRejection.OtherDivision, Authorization.Check(ruili, SignFor, PartyId.Finance, new VoucherScope(null, "533103")));
        Assert.Equal(AuthorizationRejection.OtherDivision, Authorization.Check(ruili, ReadVouchers, PartyId.Finance, new VoucherScope("101001", "533103")));
        Assert.Equal(AuthorizationRejection.None, Authorization.Check(ruili, ReadVouchers, PartyId.Finance, null));
        Assert.Equal(AuthorizationRejection.OtherDivision, Authorization.CheckPrint(ruili, PartyId.Finance, new VoucherScope(null, "533100"), printedBefore: 0));
        Assert.Equal(AuthorizationRejection.None, Authorization.Check(prefecture, SignFor, PartyId.Finance, new VoucherScope(null, "533103")));
        Assert.Equal(AuthorizationRejection.None, Authorization.Check(prefecture, SignFor, PartyId.Finance, new VoucherScope(null, "533124")));
        Assert.Equal(AuthorizationRejection.None, Authorization.Check(ruiliClerk, ReadVouchers, PartyId.Finance, new VoucherScope("201001", "533102")));
        Assert.Equal(AuthorizationRejection.OtherUnit, Authorization.Check(ruiliClerk, ReadVouchers, PartyId.Finance, new VoucherScope("202001", "533102")));
        // The post is decided before the scope: a division does not give a post rights it lacks.
        Assert.Equal(AuthorizationRejection.PostMayNot, Authorization.Check(ruili, Administer, PartyId.Finance, new VoucherScope(null, "533102")));
    }

    [Fact]
    public void Work_over_every_division_at_once_is_for_a_person_of_the_whole_node()
    {
        var bank = PartyId.Parse("bank-102");
        var ruili = new Actor(bank, "yh102_rl", "经办", null, "533102");
        var province = new Actor(bank, "yh102_jb", "经办", null);
        var selfService = new Actor(bank, "zz101001", Authorization.SelfServicePost, "101001");

        Assert.Equal(AuthorizationRejection.OtherDivision, Authorization.CheckEveryDivision(ruili, EnterVoucher, bank, divisionsServed: 3));
        Assert.Equal(AuthorizationRejection.None, Authorization.CheckEveryDivision(ruili, EnterVoucher, bank, divisionsServed: 1));
        Assert.Equal(AuthorizationRejection.None, Authorization.CheckEveryDivision(province, EnterVoucher, bank, divisionsServed: 3));
        Assert.Equal(AuthorizationRejection.PostMayNot, Authorization.CheckEveryDivision(selfService, EnterVoucher, bank, divisionsServed: 3));
        Assert.Equal(AuthorizationRejection.OtherParty, Authorization.CheckEveryDivision(province, EnterVoucher, PartyId.Finance, divisionsServed: 3));
    }

    /// <summary>A voucher of unit <paramref name="agencyCode"/> (or none) in the home division 芒市.</summary>
    private static VoucherScope V(string? agencyCode) => new(agencyCode, "533103");
}
