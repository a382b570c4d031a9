-- Agent bank: the seed's transition (九, 过渡期方案): a unit pays authorized payments on paper, electronically
-- or both in parallel. A paper 财政授权支付凭证 is registered at the counter with its number and amount,
-- draws on the same quota, and its number can then never be paid electronically (nor the other way round).
CREATE TABLE bank_unit_modes (
    agency_code TEXT NOT NULL PRIMARY KEY,
    mode        TEXT NOT NULL CHECK (mode IN ('electronic', 'paper', 'parallel')),
    set_by      TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    CHECK (set_by <> approved_by)
);

CREATE TABLE bank_paper_payments (
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    agency_code   TEXT    NOT NULL,
    voucher_no    TEXT    NOT NULL,
    exp_func_code TEXT    NOT NULL,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    payee_acct_no TEXT    NOT NULL,
    payee_name    TEXT    NOT NULL,
    pay_date      TEXT    NOT NULL,
    registered_by TEXT    NOT NULL,
    approved_by   TEXT    NOT NULL,
    registered_at TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, agency_code, voucher_no),
    CHECK (registered_by <> approved_by)
);
CREATE TRIGGER bank_paper_payments_no_update BEFORE UPDATE ON bank_paper_payments BEGIN SELECT RAISE(ABORT, 'paper payments are append-only'); END;
CREATE TRIGGER bank_paper_payments_no_delete BEFORE DELETE ON bank_paper_payments BEGIN SELECT RAISE(ABORT, 'paper payments are append-only'); END;
