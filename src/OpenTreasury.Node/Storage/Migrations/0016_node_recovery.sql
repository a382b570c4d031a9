-- A node restored from a backup (ADR 0016): one row per restore. While the newest row has no recovered_at the node is
-- recovering: it takes what its peers deliver but does no business until what it lost since the backup is back.
CREATE TABLE node_restores (
    id               INTEGER PRIMARY KEY,
    restored_at      TEXT    NOT NULL,
    backup_taken_at  TEXT    NOT NULL,
    backup_audit_seq INTEGER NOT NULL CHECK (backup_audit_seq >= 0),
    backup_sm3       TEXT    NOT NULL CHECK (length(backup_sm3) = 64),
    recovered_at     TEXT
);
CREATE TRIGGER node_restores_no_delete BEFORE DELETE ON node_restores BEGIN SELECT RAISE(ABORT, 'a restore is never forgotten'); END;
