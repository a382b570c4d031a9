using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Domain.Tests.Vouchers;

/// <summary>The catalogue's classes (凭证分类): every type in one, every class used, names that read back.</summary>
public sealed class VoucherCategoryTests
{
    [Theory]
    [InlineData("8202", VoucherCategory.AuthorizedPayment)]
    [InlineData("5201", VoucherCategory.DirectPayment)]
    [InlineData("2301", VoucherCategory.Clearing)]
    [InlineData("2209", VoucherCategory.BankReport)]
    [InlineData("3208", VoucherCategory.Allocation)]
    [InlineData("3501", VoucherCategory.Reconciliation)]
    public void A_type_is_filed_under_its_flows_class(string vtCode, VoucherCategory category)
    {
        Assert.True(VoucherCatalogue.TryGet(vtCode, out var type));
        Assert.Equal(category, type.Category);
    }

    [Fact]
    public void Every_class_holds_a_type_and_its_name_parses_back()
    {
        foreach (var category in Enum.GetValues<VoucherCategory>())
        {
            Assert.Contains(VoucherCatalogue.All, t => t.Category == category);
            Assert.True(VoucherCategories.TryParse(VoucherCategories.Name(category), out var parsed));
            Assert.Equal(category, parsed);
            Assert.NotEmpty(VoucherCategories.Chinese(category));
        }

        Assert.False(VoucherCategories.TryParse("salary", out _));
    }
}
