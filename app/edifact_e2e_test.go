package app_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/adapters/edifact"
	"github.com/orderhub/orderhub/order"
)

const bigretailEDIFACT = `partner: BIGRETAIL
edifact:
  sender_id: "4012345000009"
  sender_qualifier: "14"
  recipient_id: "4098765000002"
  recipient_qualifier: "14"
  acks: [CONTRL, ORDRSP]
`

// edifactSegments reads one of our EDIFACT answers back with orderhub's
// own reader: its segments as "TAG+e1:c2+e2", with the service characters
// it was written in. An answer that does not read cleanly fails the test.
func edifactSegments(t *testing.T, body []byte) (segs []string, sep edifact.Separators) {
	t.Helper()
	r := edifact.NewReader(bytes.NewReader(body), edifact.Options{Doc: "answer",
		OnInterchange: func(rep *edifact.InterchangeReport) {
			if len(rep.Errors) > 0 {
				t.Errorf("answer interchange: %v", rep.Errors[0])
			}
			sep = rep.Header.Separators
		}})
	defer r.Close()
	for {
		m, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Report.Errors) > 0 {
			t.Errorf("answer message: %v", m.Report.Errors[0])
		}
		for i := range m.Segments {
			s := &m.Segments[i]
			f := []string{s.Tag()}
			for j := 1; j <= s.Len(); j++ {
				var c []string
				for k := 1; k <= s.Comps(j); k++ {
					c = append(c, s.Str(j, k))
				}
				f = append(f, strings.Join(c, ":"))
			}
			segs = append(segs, strings.Join(f, "+"))
		}
	}
	return segs, sep
}

// TestEDIFACTEndToEnd drops an EANCOM interchange in a partner's inbox, in
// its own service characters (decimal comma) and ISO 8859-1, and follows it
// to the fulfilment topics, the CONTRL and the ORDRSP in its outbox.
func TestEDIFACTEndToEnd(t *testing.T) {
	data := dataWithProfile(t, "BIGRETAIL", bigretailEDIFACT)
	h := startHubAt(t, data)

	doc := "UNA:+,? '\n" +
		"UNB+UNOC:3+4012345000009:14+4098765000002:14+261120:0930+IC77++++1'\n" +
		// A good order: a buyer whose name needs the release character and
		// a Latin-1 letter, SKU-1002 at 2,50 where our price is lower.
		"UNH+1+ORDERS:D:96A:UN:EAN008'\nBGM+220+EDI-1+9'\nDTM+137:20261120:102'\nDTM+2:20261201:102'\n" +
		"NAD+BY+4012345000009::9++GROOT MARKT?+CO K\xd6LN'\nNAD+DP+4012345000016::9++BIGRETAIL DC 7+1200 DISTRIBUTION WAY+COLUMBUS+OH+43215+US'\n" +
		"CUX+2:USD:9'\n" +
		"LIN+1++012345678905:EN'\nPIA+5+SKU-1001:SA'\nQTY+21:20:EA'\nPRI+AAA:1,98'\n" +
		"LIN+2'\nPIA+5+SKU-1002:SA'\nQTY+21:5:EA'\nPRI+AAA:2,50'\n" +
		"UNS+S'\nCNT+2:2'\nUNT+18+1'\n" +
		// A message whose UNT count is wrong: refused alone.
		"UNH+2+ORDERS:D:96A:UN:EAN008'\nBGM+220+EDI-BAD+9'\nLIN+1'\nPIA+5+SKU-1001:SA'\nQTY+21:1'\nUNS+S'\nUNT+9+2'\n" +
		"UNZ+2+IC77'\n"
	h.drop("BIGRETAIL", "orders.edi", doc)

	d := h.document("orders.edi")
	if d.Orders != 1 || d.Rejected != 1 {
		t.Fatalf("document = %+v, want 1 order and 1 refused message", d)
	}
	rows, err := h.a.Store.OrdersByPO(context.Background(), "BIGRETAIL", "EDI-1")
	if err != nil || len(rows) != 1 {
		t.Fatalf("EDI-1: %d orders, %v", len(rows), err)
	}
	v := h.final(bigToken, rows[0].ID)
	if v["status"] != order.StatusRouted {
		t.Errorf("EDI-1: %v %v", v["status"], v["problems"])
	}
	o, err := order.Decode(rows[0].JSON)
	if err != nil {
		t.Fatal(err)
	}
	if by := o.Party(order.RoleBuyer); by == nil || by.Name != "GROOT MARKT+CO KÖLN" {
		t.Errorf("buyer %+v, want GROOT MARKT+CO KÖLN", by)
	}
	if o.Source.ServiceChars != ":+,? '" || o.Source.Syntax != "UNOC:3" {
		t.Errorf("source %+v", o.Source)
	}

	h.waitFor(func() bool {
		return len(outboxFiles(data, "BIGRETAIL", "CONTRL_")) == 1 && len(outboxFiles(data, "BIGRETAIL", "ORDRSP_")) == 1
	}, "a CONTRL and an ORDRSP in outbox/BIGRETAIL")
	read := func(prefix string) ([]string, edifact.Separators) {
		b, err := os.ReadFile(filepath.Join(data, "outbox", "BIGRETAIL", outboxFiles(data, "BIGRETAIL", prefix)[0]))
		if err != nil {
			t.Fatal(err)
		}
		return edifactSegments(t, b)
	}
	contrl, sep := read("CONTRL_")
	body := strings.Join(contrl, "\n")
	for _, want := range []string{"UCI+IC77+4012345000009:14+4098765000002:14+7", "UCM+1+ORDERS:D:96A:UN:EAN008+7", "UCM+2+ORDERS:D:96A:UN:EAN008+4+29"} {
		if !strings.Contains(body, want) {
			t.Errorf("CONTRL lacks %q:\n%s", want, body)
		}
	}
	if sep.Decimal != ',' {
		t.Errorf("CONTRL written with decimal mark %q, want the partner's ','", sep.Decimal)
	}
	rsp, sep := read("ORDRSP_")
	body = strings.Join(rsp, "\n")
	// BIGRETAIL is a key account: SKU-1002 at 1,98, not the PO's 2,50, so
	// the response is "accepted with amendment" (4) and line 2 changed (3).
	for _, want := range []string{"BGM+231+", "RFF+ON:EDI-1", "LIN+1+5", "LIN+2+3", "PRI+AAA:1,98"} {
		if !strings.Contains(body, want) {
			t.Errorf("ORDRSP lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(body, "BGM+231+") || !strings.Contains(body, "+4") {
		t.Errorf("ORDRSP BGM:\n%s", body)
	}
	if sep.Decimal != ',' {
		t.Errorf("ORDRSP written with decimal mark %q, want the partner's ','", sep.Decimal)
	}
}
