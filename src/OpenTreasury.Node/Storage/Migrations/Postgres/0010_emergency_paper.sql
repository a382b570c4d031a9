-- PostgreSQL form of ../0010_emergency_paper.sql: the same tables, columns, keys, checks and triggers.
-- The emergency plan (应急预案): an own voucher whose receiver cannot be reached is taken to paper (应急纸质) by two
-- people. Its undelivered messages to that receiver are discarded (never delivered), and this row marks it, so every
-- print of it says 应急纸质 and the parties reconcile it explicitly once the link is back.
CREATE TABLE emergency_paper (
    voucher_id  BIGINT NOT NULL REFERENCES vouchers (id),
    receiver    TEXT COLLATE "C" NOT NULL,
    reason      TEXT COLLATE "C" NOT NULL CHECK (length(reason) > 0),
    made_by     TEXT COLLATE "C" NOT NULL,
    approved_by TEXT COLLATE "C" NOT NULL,
    made_at     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (voucher_id, receiver),
    CHECK (made_by <> approved_by)
);
CREATE TRIGGER emergency_paper_no_update BEFORE UPDATE ON emergency_paper FOR EACH ROW EXECUTE FUNCTION append_only('emergency paper is append-only');
CREATE TRIGGER emergency_paper_no_delete BEFORE DELETE ON emergency_paper FOR EACH ROW EXECUTE FUNCTION append_only('emergency paper is append-only');

-- Agent bank: a paper voucher registered under the emergency plan is taken whatever the unit's payment mode.
ALTER TABLE bank_paper_payments ADD COLUMN emergency BIGINT NOT NULL DEFAULT 0 CHECK (emergency IN (0, 1));
