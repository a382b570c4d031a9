-- PostgreSQL form of ../0008_paper_payments.sql: the same tables, columns, keys, checks and triggers (BIGINT for INTEGER,
-- BYTEA for BLOB, identity for a rowid key, TEXT compared byte by byte as SQLite does).
-- Agent bank: the seed's transition (九, 过渡期方案): a unit pays authorized payments on paper, electronically
-- or both in parallel. A paper 财政授权支付凭证 is registered at the counter with its number and amount,
-- draws on the same quota, and its number can then never be paid electronically (nor the other way round).
CREATE TABLE bank_unit_modes (
    agency_code TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    mode        TEXT COLLATE "C" NOT NULL CHECK (mode IN ('electronic', 'paper', 'parallel')),
    set_by      TEXT COLLATE "C" NOT NULL,
    approved_by TEXT COLLATE "C" NOT NULL,
    set_at      TEXT COLLATE "C" NOT NULL,
    CHECK (set_by <> approved_by)
);

CREATE TABLE bank_paper_payments (
    adm_div_code  TEXT COLLATE "C"    NOT NULL,
    st_year       BIGINT NOT NULL,
    agency_code   TEXT COLLATE "C"    NOT NULL,
    voucher_no    TEXT COLLATE "C"    NOT NULL,
    exp_func_code TEXT COLLATE "C"    NOT NULL,
    amount_fen    BIGINT NOT NULL CHECK (amount_fen > 0),
    payee_acct_no TEXT COLLATE "C"    NOT NULL,
    payee_name    TEXT COLLATE "C"    NOT NULL,
    pay_date      TEXT COLLATE "C"    NOT NULL,
    registered_by TEXT COLLATE "C"    NOT NULL,
    approved_by   TEXT COLLATE "C"    NOT NULL,
    registered_at TEXT COLLATE "C"    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, agency_code, voucher_no),
    CHECK (registered_by <> approved_by)
);
CREATE TRIGGER bank_paper_payments_no_update BEFORE UPDATE ON bank_paper_payments FOR EACH ROW EXECUTE FUNCTION append_only('paper payments are append-only');
CREATE TRIGGER bank_paper_payments_no_delete BEFORE DELETE ON bank_paper_payments FOR EACH ROW EXECUTE FUNCTION append_only('paper payments are append-only');
