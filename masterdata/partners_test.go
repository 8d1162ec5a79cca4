package masterdata

import (
	"context"
	"testing"

	"github.com/orderhub/orderhub/store"
)

// The optional since column: set by a file that has it (an empty cell is
// "not known"), kept by one that does not, and read back by the store.
func TestLoadPartnerSince(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	steps := []struct {
		name, file, body string
		want             store.LoadResult
		since            map[string]string // by partner afterwards
	}{
		{name: "without the column", file: "partners_good.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Inserted: 3},
			since: map[string]string{"BIGRETAIL": "", "SMALLSHOP": "", "EUROMART": ""}},
		{name: "with it", file: "partners_since.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Updated: 2, Unchanged: 1},
			since: map[string]string{"BIGRETAIL": "2021-03-15", "SMALLSHOP": "", "EUROMART": "2024-02-29"}},
		{name: "again: unchanged", file: "partners_since.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			since: map[string]string{"BIGRETAIL": "2021-03-15", "EUROMART": "2024-02-29"}},
		{name: "without the column keeps it", file: "partners_good.csv",
			want:  store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			since: map[string]string{"BIGRETAIL": "2021-03-15", "SMALLSHOP": "", "EUROMART": "2024-02-29"}},
		{name: "an empty cell clears it", body: "partner,name,tier,price_list,token,since\nBIGRETAIL,Big Retail Inc.,key_account,LIST-A,bigretail-secret-token-0001,\n",
			want:  store.LoadResult{Kind: "partners", Rows: 1, Updated: 1},
			since: map[string]string{"BIGRETAIL": "", "EUROMART": "2024-02-29"}},
	}
	for _, s := range steps {
		got, err := loadBodyOrFile(t, st, "partners", s.body, s.file)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
		for id, want := range s.since {
			// Straight from the database: the store's partner cache is
			// tested elsewhere; this is about what the load wrote.
			var since string
			if err := st.DB().Read().QueryRow(`SELECT since FROM partners WHERE id = ?`, id).Scan(&since); err != nil || since != want {
				t.Errorf("%s: %s since %q, %v; want %q", s.name, id, since, err, want)
			}
		}
	}
	if p, err := st.Partner(ctx, "EUROMART"); err != nil || p.Since != "2024-02-29" {
		t.Errorf("Partner(EUROMART) = %+v, %v; want since 2024-02-29", p, err)
	}
}

// A partners file with credit_limit sets it for every row (an empty cell
// is none); one without the column keeps what is stored.
func TestLoadCreditLimit(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	credit := func(id string) string {
		t.Helper()
		p, err := st.Partner(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !p.HasCreditLimit() {
			return "none"
		}
		return p.CreditLimit.String() + " " + p.CreditCurrency
	}
	steps := []struct {
		file string
		want store.LoadResult
		then map[string]string
	}{
		{"partners_good.csv", store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			map[string]string{"BIGRETAIL": "none", "SMALLSHOP": "none", "EUROMART": "none"}},
		{"partners_credit.csv", store.LoadResult{Kind: "partners", Rows: 3, Updated: 2, Unchanged: 1},
			map[string]string{"BIGRETAIL": "250000 USD", "SMALLSHOP": "0 USD", "EUROMART": "none"}},
		{"partners_good.csv", store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			map[string]string{"BIGRETAIL": "250000 USD", "SMALLSHOP": "0 USD", "EUROMART": "none"}},
		{"partners_credit.csv", store.LoadResult{Kind: "partners", Rows: 3, Unchanged: 3},
			map[string]string{"BIGRETAIL": "250000 USD", "SMALLSHOP": "0 USD", "EUROMART": "none"}},
	}
	for i, s := range steps {
		if got := mustLoad(t, st, "partners", s.file); got != s.want {
			t.Errorf("step %d %s: %+v, want %+v", i, s.file, got, s.want)
		}
		for id, want := range s.then {
			if got := credit(id); got != want {
				t.Errorf("step %d %s: %s credit limit %s, want %s", i, s.file, id, got, want)
			}
		}
	}
}
