-- The date a partner's trading with us began (YYYY-MM-DD; '' when not
-- known), from the partners file's optional since column. Pricing reads the
-- years of partnership off it for the loyalty discount (rules.yaml
-- pricing.loyalty).
ALTER TABLE partners ADD COLUMN since TEXT NOT NULL DEFAULT '';
