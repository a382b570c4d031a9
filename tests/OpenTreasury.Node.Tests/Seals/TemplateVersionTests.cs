using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Signing;

namespace OpenTreasury.Node.Tests.Seals;

/// <summary>The stamp template version travels in every stamp's signed propertyInfo; version 1 reads as it always has.</summary>
public sealed class TemplateVersionTests
{
    private static readonly VoucherKey Key = new(AdmDivCode.Parse("533102"), new StYear(2026), VtCode.Parse("8202"), VoucherNo.Parse("ZF202600000001"));

    [Fact]
    public void The_default_version_adds_nothing_and_a_later_one_is_named_and_read_back()
    {
        Assert.Equal("voucher:8202/533102/2026/ZF202600000001/v1#dw_jbrsz", SignatureServer.PropertyInfo(Key, 1, "dw_jbrsz", 1));
        Assert.Equal("voucher:8202/533102/2026/ZF202600000001/v1#dw_jbrsz@t2", SignatureServer.PropertyInfo(Key, 1, "dw_jbrsz", 2));
        Assert.Equal(1, SignatureServer.TemplateVersionOf(SignatureServer.PropertyInfo(Key, 1, "dw_jbrsz", 1)));
        Assert.Equal(12, SignatureServer.TemplateVersionOf(SignatureServer.PropertyInfo(Key, 2, "dw_jbrsz", 12)));
    }

    [Theory]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t")]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t0")]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t1")]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t02")]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t-2")]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t+2")]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t2x")]
    [InlineData("voucher:8202/533102/2026/X/v1#dw_jbrsz@t99999")]
    public void A_malformed_version_is_none(string propertyInfo) =>
        Assert.Null(SignatureServer.TemplateVersionOf(propertyInfo));
}
