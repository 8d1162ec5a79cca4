-- Messages decided inside a store transaction and published after it
-- commits (a transactional outbox): written with the change they announce,
-- deleted once the bus has them, and published again at start if the
-- process died in between. Publishing the same UUID twice is harmless.
CREATE TABLE pending_messages (
    seq      INTEGER PRIMARY KEY,
    topic    TEXT NOT NULL,
    uuid     TEXT NOT NULL,
    metadata TEXT NOT NULL,
    payload  BLOB NOT NULL,
    at       TEXT NOT NULL
);
