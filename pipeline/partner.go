package pipeline

import (
	"context"
	"errors"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/store"
)

// Every stage that decides something for an order asks the same three
// things about its partner: the rules in force (rules.File.Current, which
// is nil-safe: no file, no rules), the partner's policy (policyOf) and
// what the store knows of the partner (partnerOf, partnerTier).

// policyOf is partner's policy as ps gives it; nil ps: the defaults.
func policyOf(ps Policies, partner string) mappings.Policy {
	if ps == nil {
		return mappings.DefaultPolicy()
	}
	return ps.Policy(partner)
}

// partnerOf is the partner with id, nil (and no error) when the store has
// none.
func partnerOf(ctx context.Context, st *store.Store, id string) (*store.Partner, error) {
	p, err := st.Partner(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return p, err
}

// partnerTier is the tier of partner id, "" when the store has no such
// partner.
func partnerTier(ctx context.Context, st *store.Store, id string) (string, error) {
	p, err := partnerOf(ctx, st, id)
	return tierOf(p), err
}

// tierOf is p's tier, "" for no partner.
func tierOf(p *store.Partner) string {
	if p == nil {
		return ""
	}
	return p.Tier
}
