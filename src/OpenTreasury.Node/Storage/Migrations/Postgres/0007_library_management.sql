-- PostgreSQL form of ../0007_library_management.sql: the same tables, columns, keys, checks and triggers (BIGINT for INTEGER,
-- BYTEA for BLOB, identity for a rowid key, TEXT compared byte by byte as SQLite does).
-- Library management (电子凭证库管理, seed 五.1): restoring a voided voucher and the operator's outbox tools.
-- A void records what it voided from (the voucher's state and each receiver's status), so a restore (恢复)
-- puts back exactly that; a void before this migration has none and cannot be restored.
ALTER TABLE vouchers ADD COLUMN voided_from TEXT COLLATE "C";
ALTER TABLE deliveries ADD COLUMN voided_from BIGINT;
-- An operator discards a parked message with a reason instead of deleting it: it stays, is never sent again.
ALTER TABLE outbox ADD COLUMN discarded_at TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN discarded_reason TEXT COLLATE "C";
CREATE INDEX vouchers_by_date ON vouchers (origin, vou_date, id);
