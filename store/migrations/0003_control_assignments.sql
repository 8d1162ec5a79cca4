-- Which control number went to which answer: an answer built again (a
-- redelivered message, a document read again after a crash) gets the same
-- number instead of a new one.
CREATE TABLE control_assignments (
    partner TEXT NOT NULL,
    kind    TEXT NOT NULL,
    ref     TEXT NOT NULL,
    number  INTEGER NOT NULL,
    at      TEXT NOT NULL,
    PRIMARY KEY (partner, kind, ref)
);
