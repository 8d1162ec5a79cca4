-- A partner's credit limit (orderhub load partners, optional column
-- credit_limit "25000 USD"): the amount as a decimal string and its
-- currency; '' and '' for none.
ALTER TABLE partners ADD COLUMN credit_limit TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN credit_currency TEXT NOT NULL DEFAULT '';

-- An order's total once priced, in ten-thousandths of its currency (like
-- inventory).
ALTER TABLE orders ADD COLUMN total_e4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN total_currency TEXT NOT NULL DEFAULT '';

-- A partner's open order value per currency: the totals of its orders
-- that are priced, held, routed, backordered or acknowledged. Kept by the
-- trigger below on every change of an order's status or total, whoever
-- makes it, so that the credit check reads one row instead of summing a
-- big partner's every open order (which grows with every order routed).
CREATE TABLE open_order_value (
    partner  TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_e4 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (partner, currency)
) WITHOUT ROWID;

-- Only changes that move an order in or out of the open statuses, or
-- change its total, run the body: the pipeline's other status steps pass
-- by with the WHEN test.
CREATE TRIGGER orders_open_value AFTER UPDATE OF status, total_e4, total_currency ON orders
WHEN (OLD.status IN ('priced', 'held', 'routed', 'backordered', 'acknowledged'))
       <> (NEW.status IN ('priced', 'held', 'routed', 'backordered', 'acknowledged'))
  OR OLD.total_e4 <> NEW.total_e4 OR OLD.total_currency <> NEW.total_currency
BEGIN
    UPDATE open_order_value SET total_e4 = total_e4 - OLD.total_e4
     WHERE partner = OLD.partner AND currency = OLD.total_currency
       AND OLD.status IN ('priced', 'held', 'routed', 'backordered', 'acknowledged');
    INSERT INTO open_order_value (partner, currency, total_e4)
    SELECT NEW.partner, NEW.total_currency, NEW.total_e4
     WHERE NEW.status IN ('priced', 'held', 'routed', 'backordered', 'acknowledged')
    ON CONFLICT (partner, currency) DO UPDATE SET total_e4 = total_e4 + excluded.total_e4;
END;
