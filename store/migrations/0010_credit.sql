-- A partner's credit limit (orderhub load partners, optional column
-- credit_limit "25000 USD"): the amount as a decimal string and its
-- currency; '' and '' for none.
ALTER TABLE partners ADD COLUMN credit_limit TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN credit_currency TEXT NOT NULL DEFAULT '';
-- An order's total once priced, in ten-thousandths of its currency (like
-- inventory), so that a partner's open order value is one sum over an
-- index that holds everything it reads: partner, currency, status, total
-- and id (the order being priced is left out of its own open value).
ALTER TABLE orders ADD COLUMN total_e4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN total_currency TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_open_value ON orders(partner, total_currency, status, total_e4, id);
