-- What a restored node needs from its peers (ADR 0016). Every message a node writes to its outbox gets the next number of
-- its gapless sequence to that receiver, in the same transaction; the number travels signed in the envelope. Rows from
-- before this migration have none (they were delivered long ago, or are delivered without one).
ALTER TABLE outbox ADD COLUMN peer_seq INTEGER CHECK (peer_seq IS NULL OR peer_seq >= 1);
CREATE UNIQUE INDEX outbox_by_peer_seq ON outbox (receiver, peer_seq);
CREATE TABLE peer_sequences (
    receiver TEXT    PRIMARY KEY,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 1)
);

-- Every numbered message this node took from a peer, as it came (the signed payload), whatever the answer was: a peer
-- restored from a backup asks for its own messages back from here. Append-only.
CREATE TABLE received_messages (
    sender      TEXT    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    message_id  TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('voucher', 'status')),
    payload     BLOB    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (sender, seq)
);
CREATE TRIGGER received_messages_no_update BEFORE UPDATE ON received_messages BEGIN SELECT RAISE(ABORT, 'received messages are kept as they came'); END;
CREATE TRIGGER received_messages_no_delete BEFORE DELETE ON received_messages BEGIN SELECT RAISE(ABORT, 'received messages are kept as they came'); END;

-- A recovering node's exchange with each peer: how far the peer holds this node's messages, and the messages of this
-- node it gave back (this node's own, signed by it), by their sequence.
CREATE TABLE recovery_peers (
    restore_id   INTEGER NOT NULL REFERENCES node_restores (id),
    peer         TEXT    NOT NULL,
    held_by_peer INTEGER NOT NULL CHECK (held_by_peer >= 0),
    returned     INTEGER NOT NULL CHECK (returned >= 0),
    answered_at  TEXT    NOT NULL,
    resent_at    TEXT,
    PRIMARY KEY (restore_id, peer)
);
CREATE TABLE recovery_returns (
    restore_id  INTEGER NOT NULL REFERENCES node_restores (id),
    peer        TEXT    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    message_id  TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('voucher', 'status')),
    payload     BLOB    NOT NULL,
    applied_at  TEXT,
    PRIMARY KEY (restore_id, peer, seq)
);
