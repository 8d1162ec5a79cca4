-- Remote drops (FTP, FTPS, SFTP).
--
-- The ledger also records what is sent: an answer put on a partner's
-- server (or in the local outbox) is a document with direction 'out' and
-- state 'delivered', the remote name it was given and when.
ALTER TABLE documents ADD COLUMN direction TEXT NOT NULL DEFAULT 'in';
ALTER TABLE documents ADD COLUMN remote TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN delivered_at TEXT NOT NULL DEFAULT '';
CREATE INDEX documents_received ON documents(received_at);

-- One row per remote file pulled: what it was on the server (where it was
-- read from, its name, size and time as listed) and what it became (the
-- ledger's document and its hash). A pull is 'fetched' once the document is
-- in the ledger and 'done' once the file was deleted, moved or (keep) left
-- on the server: a restart finishes what is 'fetched', and with
-- after_pull: keep a name, size and time already 'done' is not pulled
-- again.
CREATE TABLE pulls (
    partner     TEXT NOT NULL,
    url         TEXT NOT NULL,
    path        TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime       TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    document_id TEXT NOT NULL,
    state       TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    done_at     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (partner, path, size, mtime)
);
CREATE INDEX pulls_document ON pulls(document_id);
CREATE INDEX pulls_hash ON pulls(partner, name, sha256);

-- The state of each partner's remote connection, written when it changes
-- (ok → failing, one error to another, failing → ok), for the status
-- commands and the API.
CREATE TABLE transports (
    partner    TEXT NOT NULL,
    url        TEXT NOT NULL,
    state      TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    since      TEXT NOT NULL,
    last_ok    TEXT NOT NULL DEFAULT '',
    failures   INTEGER NOT NULL DEFAULT 0,
    next_try   TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (partner, url)
);
