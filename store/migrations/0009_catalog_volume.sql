-- A unit's volume in cubic metres, as text like weight_kg ('' when not
-- known): shipment requests carry each line's volume and, when every line's
-- is known, the total, which carriers price and trucks fill by.
ALTER TABLE catalog ADD COLUMN volume_m3 TEXT NOT NULL DEFAULT '';
