-- What a document was refused for (problems) and what was noticed in it and
-- skipped without refusing anything (notices), located, so a partner can
-- fetch them later (GET /v1/documents/{id}) and not only the ledger's error
-- text. A document's rows are replaced whole when it is finished, so a
-- document read again after a crash does not keep stale ones.
CREATE TABLE document_problems (
    document_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('problem', 'notice')),
    order_idx   INTEGER NOT NULL,
    position    TEXT NOT NULL DEFAULT '',
    path        TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL,
    PRIMARY KEY (document_id, kind, seq)
);
