using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire.Tests;

public class RoundTripProperties
{
    /// <summary>Characters GBK can encode, weighted toward the ones that stress the format.</summary>
    private static readonly Gen<char> s_gbkChar = Gen.Frequency(
        (4, Gen.Choose(0x20, 0x7E).Select(c => (char)c)),
        (4, Gen.Choose(0x4E00, 0x9FA5).Select(c => (char)c)), // CJK Unified Ideographs: all in GBK.
        (2, Gen.Elements("&<>\"' \t\r\n芒市财政局￥·—…“”（）【】".ToCharArray())));

    private static readonly Gen<string> s_text = Gen.ArrayOf(s_gbkChar).Select(chars => new string(chars));

    // Payment lines are positive (VoucherRules refuses zero and negative lines on an 8202).
    private static readonly Gen<long> s_fen =
        Gen.Choose(0, 999_999).SelectMany(yuan => Gen.Choose(1, 99_999), (high, low) => (high * 100_000L) + low);

    private static readonly Gen<(Voucher Voucher, int Details)> s_voucher =
        from names in Gen.ArrayOf(s_text, 5)
        from lines in Gen.Choose(1, 6)
        from amounts in Gen.ArrayOf(s_fen, lines)
        from remarks in Gen.ArrayOf(s_text, lines)
        select (Build(names, amounts, remarks), lines);

    [Property(MaxTest = 300)]
    public Property Any_voucher_of_GBK_text_and_amounts_round_trips() =>
        Prop.ForAll(Arb.From(s_voucher), sample =>
        {
            var bytes = VoucherXml.Write(sample.Voucher);
            var read = VoucherXml.Read(bytes);
            return read.IsSuccess
                && read.Value.Header.SequenceEqual(sample.Voucher.Header)
                && read.Value.Details.Count == sample.Details
                && read.Value.Details.Zip(sample.Voucher.Details).All(p => p.First.Fields.SequenceEqual(p.Second.Fields))
                && VoucherXml.Write(read.Value).AsSpan().SequenceEqual(bytes);
        });

    [Property(MaxTest = 100)]
    public Property Any_envelope_round_trips_with_its_stamp_bytes() =>
        Prop.ForAll(Arb.From(s_voucher), Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))), s_text.Select(t => t[..Math.Min(t.Length, 500)]).ToArbitrary(),
            (sample, der, note) =>
            {
                WireStamp[] stamps = der.Length == 0 ? [] : [new WireStamp("cz_qm", der), new WireStamp("yh_hd_qm", [.. der.Reverse()])];
                var body = new VoucherBody(sample.Voucher.Key, 2, VoucherFlag.Reply, note, VoucherXml.Write(sample.Voucher), stamps);
                var bytes = MofFormat.Write(new MofEnvelope([body]));
                var read = MofFormat.Read(bytes);
                return read.IsSuccess
                    && read.Value.Bodies[0].Attach == note
                    && read.Value.Bodies[0].Stamps.Select(s => s.Der).SequenceEqual(stamps.Select(s => s.Der), new BytesComparer())
                    && MofFormat.OpenBody(read.Value.Bodies[0]).IsSuccess
                    && MofFormat.Write(read.Value).AsSpan().SequenceEqual(bytes);
            });

    private static Voucher Build(string[] names, long[] amounts, string[] remarks)
    {
        var total = Amount.Sum(amounts.Select(fen => new Amount(fen)));
        return Samples.Payment()
            .With("AgencyName", names[0])
            .With("PayeeAcctName", names[1] + "x") // Required: never empty.
            .With("PayAcctName", names[2])
            .With("PayBankName", names[3])
            .With("Hold1", names[4])
            .With("PayAmt", total.ToWire())
            .WithDetails(amounts.Zip(remarks, (fen, remark) => Samples.Detail(new Amount(fen).ToWire(), remark)));
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
