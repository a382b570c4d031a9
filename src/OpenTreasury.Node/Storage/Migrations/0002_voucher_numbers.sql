-- The last voucher number this node gave per (AdmDivCode, StYear, VtCode), taken in the transaction
-- that makes the voucher: two people entering vouchers at once never get the same number.
CREATE TABLE voucher_numbers (
    adm_div_code TEXT    NOT NULL,
    st_year      INTEGER NOT NULL,
    vt_code      TEXT    NOT NULL,
    last_no      INTEGER NOT NULL CHECK (last_no >= 1),
    PRIMARY KEY (adm_div_code, st_year, vt_code)
);
