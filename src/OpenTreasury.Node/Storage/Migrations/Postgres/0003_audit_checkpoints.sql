-- PostgreSQL form of ../0003_audit_checkpoints.sql: the same tables, columns, keys, checks and triggers (BIGINT for INTEGER,
-- BYTEA for BLOB, identity for a rowid key, TEXT compared byte by byte as SQLite does).
-- Signed checkpoints of the audit chain: every Limits.AuditCheckpointEvery entries the node signs the
-- head (sequence and hash) with its institution key. Recomputing the chain after an edit, or cutting
-- its tail, then disagrees with a signature nobody without the node's key can make again.
CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY,
    hash      TEXT COLLATE "C" NOT NULL,
    signature BYTEA NOT NULL,
    signed_at TEXT COLLATE "C" NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION append_only('audit checkpoints are append-only');
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION append_only('audit checkpoints are append-only');
