using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance.Received;

/// <summary>
/// What Finance keeps as its books and signs for as it comes: the banks' 2105 arrival notices, 2206/2207
/// daily reports, 2209 credit notices, 2203/2204 refund notices and 2208 refund reports, and the 回单 of
/// 5106, 5108, 5201, 5207, 2301 and 2302. The journal (FinanceJournal) reads them afterwards.
/// </summary>
internal static class SignForBooks
{
    public static LibraryResult Handle(FinanceShift shift, LibrarySession session, StoredVoucher voucher) =>
        shift.Finance.Library.SignFor(session, voucher.Id, shift.EntryOf(voucher.AdmDivCode));
}
