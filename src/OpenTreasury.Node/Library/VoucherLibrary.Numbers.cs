using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Library;

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// The next voucher number of this party for (<paramref name="admDivCode"/>, <paramref name="stYear"/>,
    /// <paramref name="vtCode"/>): <c>{prefix}{StYear}{n:D8}</c>, taken from the party's sequence inside the
    /// caller's write transaction, so it is given once even when many people enter vouchers at the same
    /// moment, and given back if the transaction rolls back. A number someone typed by hand is skipped.
    /// </summary>
    public VoucherNo NextVoucherNo(LibrarySession session, AdmDivCode admDivCode, StYear stYear, VtCode vtCode, string prefix)
    {
        ArgumentNullException.ThrowIfNull(session);
        while (true)
        {
            var next = session.Connection.ExecuteScalar<long>(
                """
                INSERT INTO voucher_numbers (adm_div_code, st_year, vt_code, last_no) VALUES (@adm, @year, @vt, 1)
                ON CONFLICT (adm_div_code, st_year, vt_code) DO UPDATE SET last_no = voucher_numbers.last_no + 1
                RETURNING last_no
                """,
                new { adm = admDivCode.Value, year = stYear.Value, vt = vtCode.Value },
                session.Transaction);
            var number = VoucherNo.Parse(string.Create(CultureInfo.InvariantCulture, $"{prefix}{stYear.Value}{next:D8}"));
            if (FindOwn(session, new VoucherKey(admDivCode, stYear, vtCode, number)) is null)
            {
                return number;
            }
        }
    }
}
