-- PostgreSQL form of ../0017_peer_sequences.sql: the same columns, tables, keys, checks and triggers.
-- What a restored node needs from its peers (ADR 0016). Every message a node writes to its outbox gets the next number of
-- its gapless sequence to that receiver, in the same transaction; the number travels signed in the envelope. Rows from
-- before this migration have none (they were delivered long ago, or are delivered without one).
ALTER TABLE outbox ADD COLUMN peer_seq BIGINT CHECK (peer_seq IS NULL OR peer_seq >= 1);
CREATE UNIQUE INDEX outbox_by_peer_seq ON outbox (receiver, peer_seq);
CREATE TABLE peer_sequences (
    receiver TEXT COLLATE "C" PRIMARY KEY,
    last_seq BIGINT NOT NULL CHECK (last_seq >= 1)
);

-- Every numbered message this node took from a peer, as it came (the signed payload), whatever the answer was: a peer
-- restored from a backup asks for its own messages back from here. Append-only.
CREATE TABLE received_messages (
    sender      TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    message_id  TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('voucher', 'status')),
    payload     BYTEA   NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (sender, seq)
);
CREATE TRIGGER received_messages_no_update BEFORE UPDATE ON received_messages FOR EACH ROW EXECUTE FUNCTION append_only('received messages are kept as they came');
CREATE TRIGGER received_messages_no_delete BEFORE DELETE ON received_messages FOR EACH ROW EXECUTE FUNCTION append_only('received messages are kept as they came');

-- A recovering node's exchange with each peer: how far the peer holds this node's messages, and the messages of this
-- node it gave back (this node's own, signed by it), by their sequence.
CREATE TABLE recovery_peers (
    restore_id   BIGINT NOT NULL REFERENCES node_restores (id),
    peer         TEXT COLLATE "C" NOT NULL,
    held_by_peer BIGINT NOT NULL CHECK (held_by_peer >= 0),
    returned     BIGINT NOT NULL CHECK (returned >= 0),
    answered_at  TEXT COLLATE "C" NOT NULL,
    resent_at    TEXT COLLATE "C",
    PRIMARY KEY (restore_id, peer)
);
CREATE TABLE recovery_returns (
    restore_id  BIGINT NOT NULL REFERENCES node_restores (id),
    peer        TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    message_id  TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('voucher', 'status')),
    payload     BYTEA   NOT NULL,
    applied_at  TEXT COLLATE "C",
    PRIMARY KEY (restore_id, peer, seq)
);
