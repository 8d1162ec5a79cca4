-- A PO number may cover several destinations: an X12 850 with SDQ
-- destination quantities becomes one order per store, all under the PO
-- number. An order's identity for duplicate detection is its partner, PO
-- number and ship-to, so those orders are not taken for second originals.
ALTER TABLE order_keys ADD COLUMN ship_to TEXT NOT NULL DEFAULT '';
