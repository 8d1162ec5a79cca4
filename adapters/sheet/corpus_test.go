package sheet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/adapters/format"
)

// Every sheet of the shared corpus (files written by others) yields orders
// or errors that name the document and a place in it, never a panic.
func TestCorpusSheets(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "sheets")
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		t.Skip("no corpus at", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Run(e.Name(), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			f, doc := &Format{}, format.Doc{}
			if e.Name() == "stedi_sample.csv" {
				// A Shopify export: its order number is "Name".
				f.Profiles = profilesFrom(t, "partner: SHOPIFY\nsheet:\n  columns: {po_number: Name}\n")
				doc.Partner = "SHOPIFY"
			}
			_, orders, errs := render(t, f, e.Name(), data, doc)
			if len(orders)+len(errs) == 0 {
				t.Error("neither orders nor errors")
			}
			for _, err := range errs {
				if !strings.HasPrefix(err.Error(), e.Name()+": ") {
					t.Errorf("not located: %v", err)
				}
			}
			t.Logf("%d orders, %d errors; first error: %v", len(orders), len(errs), first(errs))
		})
	}
}

func first(errs []error) error {
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}
