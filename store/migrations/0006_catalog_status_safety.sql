-- A catalog item is active (sold) or discontinued (kept so that old orders,
-- crosswalks and prices still resolve, but no longer sold). Loads set it from
-- the catalog file's optional status column.
ALTER TABLE catalog ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'discontinued'));
-- Safety stock, in whole ten-thousandths like on_hand_e4: what a warehouse
-- keeps back and never promises. What can be reserved is on_hand_e4 -
-- reserved_e4 - safety_e4.
ALTER TABLE inventory ADD COLUMN safety_e4 INTEGER NOT NULL DEFAULT 0
    CHECK (safety_e4 >= 0);
