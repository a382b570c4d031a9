using System.Diagnostics.CodeAnalysis;

using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Wire;

/// <summary>What a voucher body carries: a voucher, or the receiver's 回单 (reply) to it.</summary>
[SuppressMessage("Naming", "CA1711", Justification = "Named after the standard's <VoucherFlag> element; it is not a [Flags] enum.")]
public enum VoucherFlag
{
    Voucher = 0,

    /// <summary>回单: the receiver's reply, same VtCode and VoucherNo, its X-fields filled in.</summary>
    Reply = 1,
}

/// <summary>
/// A stamp (signature or signed seal, DER) at a named position of the voucher template, over the exact
/// bytes of the inner voucher. [ours] The standard does not say where stamps travel; see the domain guide §3.
/// </summary>
public sealed record WireStamp(string Position, byte[] Der);

/// <summary>One <c>&lt;VoucherBody&gt;</c>: the key as attributes, the inner voucher's GBK bytes, their stamps.</summary>
/// <param name="Version">[ours] the voucher's version in the library, 1 for the first; absent on the wire means 1.</param>
/// <param name="Attach">A short note, e.g. the reason of a 退回; at most <c>Limits.ReasonLengthMax</c> characters.</param>
/// <param name="InnerVoucher">The inner voucher exactly as signed; see <see cref="VoucherXml"/>.</param>
public sealed record VoucherBody(
    VoucherKey Key, int Version, VoucherFlag Flag, string Attach, byte[] InnerVoucher, IReadOnlyList<WireStamp> Stamps);

/// <summary>A <c>&lt;MOF&gt;</c> message between two voucher libraries: one or more voucher bodies.</summary>
public sealed record MofEnvelope(IReadOnlyList<VoucherBody> Bodies);
