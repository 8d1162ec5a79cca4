package pipeline

import (
	"context"
	"errors"

	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/store"
)

// ItemLookup answers mappings' item questions from the store.
func ItemLookup(st *store.Store) mappings.ItemLookup { return storeItems{st} }

type storeItems struct{ st *store.Store }

func (s storeItems) Crosswalk(ctx context.Context, partner, kind, value string) (string, error) {
	sku, err := s.st.Crosswalk(ctx, partner, kind, value)
	if errors.Is(err, store.ErrNotFound) {
		return "", mappings.ErrNoMatch
	}
	return sku, err
}

func (s storeItems) SKUByGTIN(ctx context.Context, gtin string) (string, error) {
	sku, err := s.st.SKUByGTIN(ctx, gtin)
	if errors.Is(err, store.ErrNotFound) {
		return "", mappings.ErrNoMatch
	}
	return sku, err
}
