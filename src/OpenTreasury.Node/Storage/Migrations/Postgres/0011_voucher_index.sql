-- PostgreSQL form of ../0011_voucher_index.sql: the same tables, columns, keys, checks and triggers.
-- The voucher index (凭证要素索引): the header and line fields Finance's books read (banks, pay type, dates, payees,
-- units, classes and amounts in fen), as rows written in the same transaction as the voucher they come from. The day's
-- reconciliation sums and matches them in SQL instead of parsing every stored voucher's XML again. A voucher's
-- content never changes once stored, so neither do its rows. Migration 0011 indexes the vouchers already stored.
CREATE TABLE voucher_headers (
    voucher_id    BIGINT PRIMARY KEY REFERENCES vouchers (id),
    pay_bank_code TEXT COLLATE "C",
    pay_bank_no   TEXT COLLATE "C",
    pay_type_code TEXT COLLATE "C",
    x_clear_date  TEXT COLLATE "C",
    x_pay_date    TEXT COLLATE "C",
    payee_acct_no TEXT COLLATE "C"
);
CREATE TRIGGER voucher_headers_no_update BEFORE UPDATE ON voucher_headers FOR EACH ROW EXECUTE FUNCTION append_only('the voucher index is append-only');
CREATE TRIGGER voucher_headers_no_delete BEFORE DELETE ON voucher_headers FOR EACH ROW EXECUTE FUNCTION append_only('the voucher index is append-only');

-- One row per detail line (明细), in wire order from 0; an amount that is not a wire amount is NULL.
CREATE TABLE voucher_lines (
    voucher_id    BIGINT NOT NULL REFERENCES vouchers (id),
    line          BIGINT NOT NULL CHECK (line >= 0),
    voucher_no    TEXT COLLATE "C",
    agency_code   TEXT COLLATE "C",
    exp_func_code TEXT COLLATE "C",
    payee_acct_no TEXT COLLATE "C",
    pay_amt_fen   BIGINT,
    plan_amt_fen  BIGINT,
    x_pay_amt_fen BIGINT,
    x_add_word    TEXT COLLATE "C",
    PRIMARY KEY (voucher_id, line)
);
CREATE TRIGGER voucher_lines_no_update BEFORE UPDATE ON voucher_lines FOR EACH ROW EXECUTE FUNCTION append_only('the voucher index is append-only');
CREATE TRIGGER voucher_lines_no_delete BEFORE DELETE ON voucher_lines FOR EACH ROW EXECUTE FUNCTION append_only('the voucher index is append-only');
