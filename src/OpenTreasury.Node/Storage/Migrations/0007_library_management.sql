-- Library management (电子凭证库管理, seed 五.1): restoring a voided voucher and the operator's outbox tools.
-- A void records what it voided from (the voucher's state and each receiver's status), so a restore (恢复)
-- puts back exactly that; a void before this migration has none and cannot be restored.
ALTER TABLE vouchers ADD COLUMN voided_from TEXT;
ALTER TABLE deliveries ADD COLUMN voided_from INTEGER;
-- An operator discards a parked message with a reason instead of deleting it: it stays, is never sent again.
ALTER TABLE outbox ADD COLUMN discarded_at TEXT;
ALTER TABLE outbox ADD COLUMN discarded_reason TEXT;
CREATE INDEX vouchers_by_date ON vouchers (origin, vou_date, id);
