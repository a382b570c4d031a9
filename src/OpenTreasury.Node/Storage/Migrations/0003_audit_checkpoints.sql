-- Signed checkpoints of the audit chain: every Limits.AuditCheckpointEvery entries the node signs the
-- head (sequence and hash) with its institution key. Recomputing the chain after an edit, or cutting
-- its tail, then disagrees with a signature nobody without the node's key can make again.
CREATE TABLE audit_checkpoints (
    seq       INTEGER PRIMARY KEY,
    hash      TEXT NOT NULL,
    signature BLOB NOT NULL,
    signed_at TEXT NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
