-- Decimal quantities and money are TEXT holding a decimal string: SQLite's
-- REAL is a float and would round them. Times are RFC 3339 UTC text.

CREATE TABLE partners (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    tier         TEXT NOT NULL,
    price_list   TEXT NOT NULL DEFAULT '',
    -- Only the SHA-256 of a bearer token is kept, never the token.
    token_sha256 TEXT NOT NULL UNIQUE,
    updated_at   TEXT NOT NULL
);

CREATE TABLE catalog (
    sku         TEXT PRIMARY KEY,
    gtin        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    uom         TEXT NOT NULL DEFAULT 'EA',
    pack_size   TEXT NOT NULL DEFAULT '1',
    moq         TEXT NOT NULL DEFAULT '0',
    category    TEXT NOT NULL DEFAULT '',
    weight_kg   TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);
CREATE INDEX catalog_gtin ON catalog(gtin) WHERE gtin <> '';

-- A partner's own item numbers (and GTINs it uses that the catalog does not
-- carry) mapped to our SKU.
CREATE TABLE item_crosswalk (
    partner    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('buyer_item', 'gtin')),
    value      TEXT NOT NULL,
    sku        TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (partner, kind, value)
);

CREATE TABLE warehouses (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

-- Quantities in stock are whole ten-thousandths of a unit (on_hand_e4 =
-- 1205000 is 120.5 units): integers, so that the stock stage can check and
-- reserve in one guarded UPDATE, exactly, where SQLite would do decimal text
-- arithmetic in floating point. Keyed by SKU first and without a rowid: the
-- stock stage reads and updates a SKU's rows in every warehouse, which are
-- then side by side in one B-tree.
CREATE TABLE inventory (
    sku         TEXT NOT NULL,
    warehouse   TEXT NOT NULL REFERENCES warehouses(code),
    on_hand_e4  INTEGER NOT NULL DEFAULT 0,
    reserved_e4 INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (sku, warehouse)
) WITHOUT ROWID;

CREATE TABLE price_lists (
    id         TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL
);

CREATE TABLE prices (
    price_list TEXT NOT NULL REFERENCES price_lists(id),
    sku        TEXT NOT NULL,
    currency   TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    min_qty    TEXT NOT NULL DEFAULT '0',
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to   TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (price_list, sku, currency, min_qty, valid_from)
);

-- One row per order with its current canonical JSON.
CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    partner     TEXT NOT NULL,
    po_number   TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    status      TEXT NOT NULL,
    document_id TEXT NOT NULL DEFAULT '',
    json        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX orders_po ON orders(partner, po_number);
CREATE INDEX orders_po_only ON orders(po_number);
CREATE INDEX orders_document ON orders(document_id);

CREATE TABLE order_events (
    seq      INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    status   TEXT NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    at       TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events(order_id, seq);

-- What the dedupe stage has seen: one row per distinct order content.
CREATE TABLE order_keys (
    partner        TEXT NOT NULL,
    po_number      TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    at             TEXT NOT NULL,
    PRIMARY KEY (partner, po_number, purpose, content_sha256)
);

CREATE TABLE reservations (
    order_id  TEXT NOT NULL,
    line_no   TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    sku       TEXT NOT NULL,
    quantity  TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (order_id, line_no, warehouse)
) WITHOUT ROWID;

-- The document ledger: every file or request that came in, before anything
-- else is done with it.
CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    sha256          TEXT NOT NULL,
    partner         TEXT NOT NULL,
    transport       TEXT NOT NULL,
    name            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    received_at     TEXT NOT NULL,
    state           TEXT NOT NULL,
    format          TEXT NOT NULL DEFAULT '',
    path            TEXT NOT NULL DEFAULT '',
    orders          INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    duplicate_of    TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL
);
CREATE INDEX documents_sha ON documents(partner, sha256);
CREATE INDEX documents_state ON documents(state);
CREATE UNIQUE INDEX documents_idem ON documents(partner, idempotency_key) WHERE idempotency_key <> '';

-- Outbound control numbers (ISA13, GS06, UNB 0020 ...), per partner and kind:
-- increasing, never reused.
CREATE TABLE control_numbers (
    partner TEXT NOT NULL,
    kind    TEXT NOT NULL,
    last    INTEGER NOT NULL,
    PRIMARY KEY (partner, kind)
);
