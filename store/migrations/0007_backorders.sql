-- What each backordered order still waits for, line by line, in the
-- catalog's unit (ten-thousandths like inventory). When stock arrives the
-- queue is served by tier (0 = key account first), then by age, then by
-- order id and line: the index is that order.
CREATE TABLE backorders (
    order_id    TEXT NOT NULL,
    line_no     TEXT NOT NULL,
    sku         TEXT NOT NULL,
    quantity_e4 INTEGER NOT NULL CHECK (quantity_e4 > 0),
    tier_rank   INTEGER NOT NULL,
    since       TEXT NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
CREATE INDEX backorders_queue ON backorders(tier_rank, since, order_id, line_no);
