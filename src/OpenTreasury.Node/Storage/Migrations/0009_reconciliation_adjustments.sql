-- Finance: how a reconciliation mismatch of a day was resolved (差错处理): by a correction voucher or a
-- documented adjustment, entered and approved by two people. Reconciliation then lists the mismatch as
-- resolved and the day balances again; nothing is ever edited or deleted.
CREATE TABLE finance_reconciliation_adjustments (
    id            INTEGER PRIMARY KEY,
    business_date TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('correction', 'adjustment')),
    reference     TEXT    NOT NULL CHECK (length(reference) > 0),
    reason        TEXT    NOT NULL CHECK (length(reason) > 0),
    entered_by    TEXT    NOT NULL,
    approved_by   TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    UNIQUE (business_date, subject),
    CHECK (entered_by <> approved_by)
);
CREATE TRIGGER finance_reconciliation_adjustments_no_update BEFORE UPDATE ON finance_reconciliation_adjustments BEGIN SELECT RAISE(ABORT, 'adjustments are append-only'); END;
CREATE TRIGGER finance_reconciliation_adjustments_no_delete BEFORE DELETE ON finance_reconciliation_adjustments BEGIN SELECT RAISE(ABORT, 'adjustments are append-only'); END;
