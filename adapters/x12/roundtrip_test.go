package x12

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhub/orderhub/adapters/format"
	"github.com/orderhub/orderhub/mappings"
	"github.com/orderhub/orderhub/order"
	"github.com/orderhub/orderhub/ordermsg"
)

// TestAnswersRoundTrip writes every answer (TA1, 997 or 999, 855) in the
// delimiters and version a partner's profile asks for, and reads each back
// with this package's reader: it must read without a single error, in
// those delimiters, and say what was meant.
func TestAnswersRoundTrip(t *testing.T) {
	delimiterSets := []struct {
		name                      string
		elem, comp, rep, seg, yml string
	}{
		{"default", "*", ">", "^", "~", ""},
		{"pipe and newline", "|", ":", "^", "\n", `element_separator: "|"` + "\n  component_separator: \":\"\n  segment_terminator: \"\\n\""},
		{"tilde elements", "~", "|", "!", "\n", `element_separator: "~"` + "\n  component_separator: \"|\"\n  repetition_separator: \"!\"\n  segment_terminator: \"\\n\""},
		{"terminator and CRLF", "*", ">", "^", "~\r\n", `line_break: crlf`},
		{"pipe terminator and LF", "*", ":", "^", "|\n", `segment_terminator: "|"` + "\n  component_separator: \":\"\n  line_break: lf"},
		{"control characters", "\x1d", "\x1f", "\x1e", "\x1c", `element_separator: "\x1D"` + "\n  component_separator: \"\\x1F\"\n  repetition_separator: \"\\x1E\"\n  segment_terminator: \"\\x1C\""},
	}
	for _, version := range []string{"004010", "005010"} {
		for _, ds := range delimiterSets {
			t.Run(version+" "+ds.name, func(t *testing.T) {
				dir := t.TempDir()
				yml := fmt.Sprintf("partner: RT\nx12:\n  sender_qualifier: ZZ\n  sender_id: RTPARTNER\n  version: %q\n  acks: [TA1, 997, 999, 855]\n", version)
				if ds.yml != "" {
					yml += "  " + ds.yml + "\n"
				}
				if err := os.WriteFile(filepath.Join(dir, "rt.yaml"), []byte(yml), 0o644); err != nil {
					t.Fatal(err)
				}
				profiles, err := mappings.LoadProfiles(dir)
				if err != nil {
					t.Fatal(err)
				}
				isaVer, gsVer := "00401", "004010"
				if version == "005010" {
					isaVer, gsVer = "00501", "005010"
				}
				doc := fmt.Sprintf("ISA*00*          *00*          *ZZ*RTPARTNER      *ZZ*ORDERHUB       *261120*0930*^*%s*000000777*1*P*>~"+
					"GS*PO*RTPARTNER*ORDERHUB*20261120*0930*77*X*%s~"+
					"ST*850*0001~BEG*00*SA*RT-1**20261120~N1*ST*STORE*92*0012~PO1*1*6*EA*1.25**VN*SKU-1~CTT*1~SE*6*0001~"+
					"ST*850*0002~BEG*00*SA*RT-2**20261120~PO1*1*ABC*EA**VN*SKU-2~SE*4*0002~"+
					"GE*2*77~IEA*1*000000777~", isaVer, gsVer)
				var answers []ordermsg.Ack
				f := &Format{Profiles: profiles, Numbers: &counter{}, Now: fixedNow}
				_, orders, errs := readOrders(t, f, "rt.x12", []byte(doc), format.Doc{Name: "rt.x12", ID: "doc", Partner: "RT",
					Answer: func(a ordermsg.Ack) { answers = append(answers, a) }})
				if len(orders) != 1 || len(errs) != 1 {
					t.Fatalf("%d orders, errors %v", len(orders), errs)
				}
				o := orders[0]
				o.ID, o.Status = "ord_rt", order.StatusRouted
				acks, err := (&POAcknowledger{Profiles: profiles, Numbers: &counter{}, Now: fixedNow}).Acknowledge(context.Background(), o)
				if err != nil {
					t.Fatal(err)
				}
				answers = append(answers, acks...)

				fa := "997"
				if version == "005010" {
					fa = "999"
				}
				var kinds []string
				for _, a := range answers {
					kinds = append(kinds, a.Kind)
					if got := string(a.Body[3:4]); got != ds.elem {
						t.Errorf("%s: element separator %q, want %q", a.Kind, got, ds.elem)
					}
					if got := string(a.Body[104:105]); got != ds.comp {
						t.Errorf("%s: component separator %q, want %q", a.Kind, got, ds.comp)
					}
					if !bytes.HasPrefix(a.Body[105:], []byte(ds.seg)) {
						t.Errorf("%s: segment terminator %q, want %q", a.Kind, a.Body[105:105+len(ds.seg)], ds.seg)
					}
					if got := string(a.Body[84:89]); got != isaVer {
						t.Errorf("%s: ISA12 %s, want %s", a.Kind, got, isaVer)
					}
					segs, err := readSegments(a.Body)
					if err != nil {
						t.Fatalf("%s does not read back: %v\n%q", a.Kind, err, a.Body)
					}
					var lines []string
					for _, s := range segs {
						lines = append(lines, strings.Join(s, "*"))
					}
					body := strings.Join(lines, "\n")
					var want []string
					switch a.Kind {
					case "997":
						want = []string{"AK1*PO*77", "AK2*850*0001\nAK5*A", "AK2*850*0002\nAK3*PO1*3**8\nAK4*2**6\nAK5*R*5", "AK9*P*2*2*1"}
					case "999":
						want = []string{"AK1*PO*77*005010", "AK2*850*0001\nIK5*A", "AK2*850*0002\nIK3*PO1*3**8\nIK4*2**6\nIK5*R*5", "AK9*P*2*2*1"}
					case "855":
						want = []string{"BAK*00*AD*RT-1*20261120", "N1*ST*STORE*92*0012", "PO1*1*6*EA*1.25**VN*SKU-1\nACK*IA*6*EA*068"}
					}
					for _, w := range want {
						if !strings.Contains(body, w) {
							t.Errorf("%s lacks %q:\n%s", a.Kind, w, body)
						}
					}
				}
				if got := strings.Join(kinds, ","); got != "TA1,"+fa+",855" {
					t.Errorf("answers %s, want TA1,%s,855", got, fa)
				}
			})
		}
	}
}
