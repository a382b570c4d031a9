-- PostgreSQL form of ../0006_finance_reallocations.sql: the same tables, columns, keys, checks and triggers (BIGINT for INTEGER,
-- BYTEA for BLOB, identity for a rowid key, TEXT compared byte by byte as SQLite does).
-- Finance: a 3208 实拨退款 allocated again (重新拨款) as a new 5207, never for more than the refund left.
-- The 5207 names its 3208 in Hold1 (the 5207 has no OriBillNo on the wire; ADR 0008); this table is the link.
CREATE TABLE finance_reallocations (
    adm_div_code      TEXT COLLATE "C"    NOT NULL,
    st_year           BIGINT NOT NULL,
    voucher_no        TEXT COLLATE "C"    NOT NULL,
    refund_voucher_no TEXT COLLATE "C"    NOT NULL,
    amount_fen        BIGINT NOT NULL CHECK (amount_fen > 0),
    entered_by        TEXT COLLATE "C"    NOT NULL,
    approved_by       TEXT COLLATE "C"    NOT NULL,
    recorded_at       TEXT COLLATE "C"    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, voucher_no),
    FOREIGN KEY (adm_div_code, st_year, refund_voucher_no) REFERENCES finance_allocation_refunds (adm_div_code, st_year, voucher_no),
    CHECK (entered_by <> approved_by)
);
CREATE INDEX finance_reallocations_by_refund ON finance_reallocations (adm_div_code, st_year, refund_voucher_no);
-- Never beyond the refund, whoever writes.
CREATE FUNCTION finance_reallocations_within_refund() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.amount_fen + (SELECT COALESCE(SUM(amount_fen), 0) FROM finance_reallocations
                         WHERE adm_div_code = NEW.adm_div_code AND st_year = NEW.st_year AND refund_voucher_no = NEW.refund_voucher_no)
       > (SELECT amount_fen FROM finance_allocation_refunds
          WHERE adm_div_code = NEW.adm_div_code AND st_year = NEW.st_year AND voucher_no = NEW.refund_voucher_no) THEN
        RAISE EXCEPTION 'a re-allocation beyond its refund' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER finance_reallocations_within_refund BEFORE INSERT ON finance_reallocations
FOR EACH ROW EXECUTE FUNCTION finance_reallocations_within_refund();
CREATE TRIGGER finance_reallocations_no_update BEFORE UPDATE ON finance_reallocations FOR EACH ROW EXECUTE FUNCTION append_only('re-allocations are append-only');
CREATE TRIGGER finance_reallocations_no_delete BEFORE DELETE ON finance_reallocations FOR EACH ROW EXECUTE FUNCTION append_only('re-allocations are append-only');
