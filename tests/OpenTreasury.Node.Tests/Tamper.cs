using System.Text;
using System.Text.RegularExpressions;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Tests;

/// <summary>What an attacker on the wire could do to an exported MOF envelope.</summary>
internal static partial class Tamper
{
    private static readonly Encoding Gbk = CodePagesEncodingProvider.Instance.GetEncoding(936)!;

    /// <summary>
    /// Changes the first digit of the amount inside the signed inner voucher — in PayAmt of the header
    /// and of the matching detail, so the content rules still pass and only the signature can tell.
    /// The inner voucher is edited as text, as someone with the decoded base64 would.
    /// </summary>
    public static byte[] OneAmountDigit(byte[] envelope) =>
        Body(envelope, body =>
        {
            var text = Gbk.GetString(body.InnerVoucher);
            var amount = PayAmt().Match(text).Groups[1].Value;
            var changed = (char)('1' + ((amount[0] - '0') % 9)) + amount[1..];
            var edited = text.Replace($"<PayAmt>{amount}</PayAmt>", $"<PayAmt>{changed}</PayAmt>", StringComparison.Ordinal);
            return body with { InnerVoucher = Gbk.GetBytes(edited) };
        });

    /// <summary>Rewrites the one body of an envelope and writes the envelope again.</summary>
    public static byte[] Body(byte[] envelope, Func<VoucherBody, VoucherBody> change)
    {
        var body = MofFormat.Read(envelope).Value.Bodies.Single();
        return MofFormat.Write(new MofEnvelope([change(body)]));
    }

    public static VoucherBody Read(byte[] envelope) => MofFormat.Read(envelope).Value.Bodies.Single();

    [GeneratedRegex("<PayAmt>([0-9.]+)</PayAmt>")]
    private static partial Regex PayAmt();
}
