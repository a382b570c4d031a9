-- The voucher index (凭证要素索引): the header and line fields Finance's books read (banks, pay type, dates, payees,
-- units, classes and amounts in fen), as rows written in the same transaction as the voucher they come from. The day's
-- reconciliation sums and matches them in SQL instead of parsing every stored voucher's XML again. A voucher's
-- content never changes once stored, so neither do its rows. Migration 0011 indexes the vouchers already stored.
CREATE TABLE voucher_headers (
    voucher_id    INTEGER PRIMARY KEY REFERENCES vouchers (id),
    pay_bank_code TEXT,
    pay_bank_no   TEXT,
    pay_type_code TEXT,
    x_clear_date  TEXT,
    x_pay_date    TEXT,
    payee_acct_no TEXT
);
CREATE TRIGGER voucher_headers_no_update BEFORE UPDATE ON voucher_headers BEGIN SELECT RAISE(ABORT, 'the voucher index is append-only'); END;
CREATE TRIGGER voucher_headers_no_delete BEFORE DELETE ON voucher_headers BEGIN SELECT RAISE(ABORT, 'the voucher index is append-only'); END;

-- One row per detail line (明细), in wire order from 0; an amount that is not a wire amount is NULL.
CREATE TABLE voucher_lines (
    voucher_id    INTEGER NOT NULL REFERENCES vouchers (id),
    line          INTEGER NOT NULL CHECK (line >= 0),
    voucher_no    TEXT,
    agency_code   TEXT,
    exp_func_code TEXT,
    payee_acct_no TEXT,
    pay_amt_fen   INTEGER,
    plan_amt_fen  INTEGER,
    x_pay_amt_fen INTEGER,
    x_add_word    TEXT,
    PRIMARY KEY (voucher_id, line)
);
CREATE TRIGGER voucher_lines_no_update BEFORE UPDATE ON voucher_lines BEGIN SELECT RAISE(ABORT, 'the voucher index is append-only'); END;
CREATE TRIGGER voucher_lines_no_delete BEFORE DELETE ON voucher_lines BEGIN SELECT RAISE(ABORT, 'the voucher index is append-only'); END;
