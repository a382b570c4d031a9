-- PostgreSQL form of ../0002_voucher_numbers.sql: the same tables, columns, keys, checks and triggers (BIGINT for INTEGER,
-- BYTEA for BLOB, identity for a rowid key, TEXT compared byte by byte as SQLite does).
-- The last voucher number this node gave per (AdmDivCode, StYear, VtCode), taken in the transaction
-- that makes the voucher: two people entering vouchers at once never get the same number.
CREATE TABLE voucher_numbers (
    adm_div_code TEXT COLLATE "C"    NOT NULL,
    st_year      BIGINT NOT NULL,
    vt_code      TEXT COLLATE "C"    NOT NULL,
    last_no      BIGINT NOT NULL CHECK (last_no >= 1),
    PRIMARY KEY (adm_div_code, st_year, vt_code)
);
