using System.Text.RegularExpressions;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Domain.Tests.Vouchers;

public sealed partial class FieldNamesTests
{
    [Fact]
    public void Every_field_of_every_voucher_type_has_a_chinese_label()
    {
        var fields = VoucherCatalogue.All.SelectMany(t => t.HeaderFields.Concat(t.DetailFields)).Distinct(StringComparer.Ordinal).ToList();

        var unlabelled = fields.Where(f => !FieldNames.All.ContainsKey(f)).ToList();

        Assert.True(unlabelled.Count == 0, $"no Chinese label for {string.Join(", ", unlabelled)}");
        Assert.True(fields.Count > 100);
    }

    [Fact]
    public void Every_label_is_chinese_and_names_a_field_the_catalogue_uses()
    {
        var used = VoucherCatalogue.All.SelectMany(t => t.HeaderFields.Concat(t.DetailFields)).ToHashSet(StringComparer.Ordinal);

        Assert.All(FieldNames.All, entry =>
        {
            Assert.Contains(entry.Key, used);
            Assert.Matches(Han(), entry.Value);
        });
    }

    [Fact]
    public void A_known_field_shows_its_label_and_an_unknown_one_itself()
    {
        Assert.Equal("收款人全称", FieldNames.Chinese("PayeeAcctName"));
        Assert.Equal("支付金额", FieldNames.Chinese("PayAmt"));
        Assert.Equal("bkyt", FieldNames.Chinese("bkyt"));
        Assert.True(FieldNames.IsReserved("Hold3"));
        Assert.False(FieldNames.IsReserved("PayAmt"));
    }

    [GeneratedRegex(@"^[\p{IsCJKUnifiedIdeographs}0-9]+$")]
    private static partial Regex Han();
}
