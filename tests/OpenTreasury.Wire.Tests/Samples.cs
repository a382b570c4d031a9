using System.Text;

using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire.Tests;

/// <summary>Valid vouchers and envelopes to start each test from; tests change one thing and expect one error.</summary>
internal static class Samples
{
    public const string Label = "8202/533103/2026/X1";

    public static Encoding Gbk { get; } =
        CodePagesEncodingProvider.Instance.GetEncoding(936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)!;

    public static VoucherKey Key { get; } = new(AdmDivCode.Parse("533103"), StYear.Parse("2026"), VtCode.Parse("8202"), VoucherNo.Parse("X1"));

    /// <summary>A valid 8202 (财政授权支付凭证) of 10.00 in two detail lines.</summary>
    public static Voucher Payment(string voucherNo = "X1") => new(
        [
            new("Id", "1"),
            new("AdmDivCode", "533103"),
            new("StYear", "2026"),
            new("VtCode", "8202"),
            new("VouDate", "20260315"),
            new("VoucherNo", voucherNo),
            new("PayTypeCode", "12"),
            new("PayTypeName", "授权支付"),
            new("AgencyCode", "101001"),
            new("AgencyName", "芒市财政局"),
            new("ExpFuncCode", "2010101"),
            new("ExpFuncName", "行政运行"),
            new("PayeeAcctNo", "6222020200012345678"),
            new("PayeeAcctName", "芒市某某商贸有限公司"),
            new("PayAcctNo", "2508012345678901"),
            new("PayAcctName", "芒市财政局零余额账户"),
            new("PayBankCode", "102"),
            new("PayBankName", "中国工商银行芒市支行"),
            new("PayAmt", "10.00"),
        ],
        [
            Detail("7.50", "办公用品 & <纸张>"),
            Detail("2.50", "打印耗材"),
        ]);

    public static VoucherDetail Detail(string amount, string remark = "") => new(
    [
        new("AgencyCode", "101001"),
        new("ExpFuncCode", "2010101"),
        new("ExpEcoCode", "30201"),
        new("PayAmt", amount),
        new("Remark", remark),
    ]);

    public static Voucher Without(this Voucher voucher, string field) =>
        new(voucher.Header.Where(f => f.Name != field), voucher.Details);

    public static VoucherBody Body(Voucher voucher, params WireStamp[] stamps) =>
        new(voucher.Key, 1, VoucherFlag.Voucher, "note", VoucherXml.Write(voucher), stamps);

    public static WireStamp Stamp(string position, int length = 70, byte seed = 0x30) =>
        new(position, [.. Enumerable.Range(0, length).Select(i => unchecked((byte)(seed + i)))]);

    public static byte[] ToGbk(string text) => Gbk.GetBytes(text);

    public static string FromGbk(byte[] bytes) => Gbk.GetString(bytes);

    /// <summary>The single error of a failed result, asserted to have the expected code.</summary>
    public static WireError SingleError<T>(WireResult<T> result, WireErrorCode code)
    {
        Assert.False(result.IsSuccess, "the input should have been rejected");
        var error = Assert.Single(result.Errors);
        Assert.Equal(code, error.Code);
        return error;
    }

    /// <summary>Some error of a failed result with the expected code.</summary>
    public static WireError SomeError<T>(WireResult<T> result, WireErrorCode code)
    {
        Assert.False(result.IsSuccess, "the input should have been rejected");
        return Assert.Single(result.Errors, e => e.Code == code);
    }
}
