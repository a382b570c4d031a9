-- Finance: a 3208 实拨退款 allocated again (重新拨款) as a new 5207, never for more than the refund left.
-- The 5207 names its 3208 in Hold1 (the 5207 has no OriBillNo on the wire; ADR 0008); this table is the link.
CREATE TABLE finance_reallocations (
    adm_div_code      TEXT    NOT NULL,
    st_year           INTEGER NOT NULL,
    voucher_no        TEXT    NOT NULL,
    refund_voucher_no TEXT    NOT NULL,
    amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
    entered_by        TEXT    NOT NULL,
    approved_by       TEXT    NOT NULL,
    recorded_at       TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, voucher_no),
    FOREIGN KEY (adm_div_code, st_year, refund_voucher_no) REFERENCES finance_allocation_refunds (adm_div_code, st_year, voucher_no),
    CHECK (entered_by <> approved_by)
);
CREATE INDEX finance_reallocations_by_refund ON finance_reallocations (adm_div_code, st_year, refund_voucher_no);
-- Never beyond the refund, whoever writes.
CREATE TRIGGER finance_reallocations_within_refund BEFORE INSERT ON finance_reallocations
WHEN NEW.amount_fen + (SELECT COALESCE(SUM(amount_fen), 0) FROM finance_reallocations
                       WHERE adm_div_code = NEW.adm_div_code AND st_year = NEW.st_year AND refund_voucher_no = NEW.refund_voucher_no)
     > (SELECT amount_fen FROM finance_allocation_refunds
        WHERE adm_div_code = NEW.adm_div_code AND st_year = NEW.st_year AND voucher_no = NEW.refund_voucher_no)
BEGIN SELECT RAISE(ABORT, 'a re-allocation beyond its refund'); END;
CREATE TRIGGER finance_reallocations_no_update BEFORE UPDATE ON finance_reallocations BEGIN SELECT RAISE(ABORT, 're-allocations are append-only'); END;
CREATE TRIGGER finance_reallocations_no_delete BEFORE DELETE ON finance_reallocations BEGIN SELECT RAISE(ABORT, 're-allocations are append-only'); END;
